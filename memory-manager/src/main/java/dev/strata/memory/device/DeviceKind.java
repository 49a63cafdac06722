package dev.strata.memory.device;

/**
 * What kind of memory a {@link DeviceId} names.
 *
 * <pre>{@code
 * DeviceId.parse("cuda1").kind(); // CUDA
 * DeviceId.CPU.kind();            // CPU
 * }</pre>
 */
public enum DeviceKind {
    /** An NVIDIA GPU seen through the CUDA driver; its memory is device memory. */
    CUDA,
    /** The host: layers placed here live in RAM and run on the CPU. */
    CPU
}
