package dev.strata.memory.plan;

import dev.strata.memory.device.DeviceId;

/**
 * What one device holds under a placement, and against which budget.
 *
 * @param device        the device
 * @param ggmlName      ggml's name for it ("CUDA0", "CPU")
 * @param firstLayer    first layer placed here (inclusive); equal to {@code endLayer} when none
 * @param endLayer      end of the layer range (exclusive)
 * @param output        whether the output layer is here
 * @param weightBytes   weights
 * @param kvBytes       KV cache
 * @param computeBytes  compute buffers
 * @param overheadBytes runtime overhead (0 on the CPU)
 * @param budgetBytes   the device's budget; {@code Long.MAX_VALUE} for the host when it is not limited
 */
public record DevicePlan(DeviceId device, String ggmlName, int firstLayer, int endLayer, boolean output, long weightBytes,
                         long kvBytes, long computeBytes, long overheadBytes, long budgetBytes) {

    public int layerCount() {
        return endLayer - firstLayer;
    }

    /** Everything this device is predicted to hold. */
    public long totalBytes() {
        return weightBytes + kvBytes + computeBytes + overheadBytes;
    }

    public boolean fits() {
        return totalBytes() <= budgetBytes;
    }
}
