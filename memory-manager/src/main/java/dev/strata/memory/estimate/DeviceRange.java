package dev.strata.memory.estimate;

import java.util.Objects;

/**
 * A contiguous run of layers on one device.
 *
 * <pre>{@code
 * new DeviceRange("CUDA0", 8, 20).size();   // 12 layers: 8 to 19
 * }</pre>
 *
 * @param device ggml device name, such as "CUDA0"
 * @param first  first layer, inclusive
 * @param end    last layer + 1
 */
public record DeviceRange(String device, int first, int end) {

    public DeviceRange {
        Objects.requireNonNull(device, "device");
        if (device.isEmpty() || first < 0 || end < first) {
            throw new IllegalArgumentException("bad range " + device + " [" + first + ", " + end + ")");
        }
    }

    /** Number of layers. */
    public int size() {
        return end - first;
    }

    /** Whether {@code layer} is in this range. */
    public boolean contains(int layer) {
        return layer >= first && layer < end;
    }
}
