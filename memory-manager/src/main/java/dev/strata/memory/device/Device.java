package dev.strata.memory.device;

import java.util.Objects;

/**
 * One device as read at one moment: what it is and how much memory it has and has free.
 *
 * <pre>{@code
 * Device gpu = inventory.read().device(DeviceId.cuda(0)).orElseThrow();
 * gpu.name();        // "NVIDIA H100 80GB HBM3"
 * gpu.uuid();        // "GPU-5f0c1c9e-…", what CUDA_VISIBLE_DEVICES and nvidia-smi accept
 * gpu.totalBytes();  // 85_029_158_912
 * ByteSize.format(gpu.freeBytes()); // "78.6 GiB"
 * }</pre>
 *
 * @param id         the device as this process sees it ({@code cuda0}, {@code cpu})
 * @param name       the driver's name for it ({@code "NVIDIA H100 80GB HBM3"}, {@code "CPU"})
 * @param uuid       the GPU's UUID as {@code nvidia-smi -L} prints it ({@code GPU-xxxxxxxx-…}); empty
 *                   when unknown (the CPU, devices from a spec)
 * @param pciBusId   the PCI bus id ({@code 0000:65:00.0}); empty when unknown
 * @param totalBytes all memory of the device in bytes (RAM for the CPU)
 * @param freeBytes  bytes free when it was read: for CUDA, {@code cuMemGetInfo}'s free with the primary
 *                   context current; for the CPU, {@code MemAvailable}. Stale a moment later.
 */
public record Device(DeviceId id, String name, String uuid, String pciBusId, long totalBytes, long freeBytes) {

    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(pciBusId, "pciBusId");
        if (totalBytes < 0 || freeBytes < 0) {
            throw new IllegalArgumentException(id + ": total " + totalBytes + " and free " + freeBytes
                    + " bytes must be >= 0");
        }
    }

    /** CUDA or CPU. */
    public DeviceKind kind() {
        return id.kind();
    }

    /** One line for logs and the command line: {@code cuda0 NVIDIA H100 80GB HBM3, 78.6 GiB free of 79.2 GiB}. */
    public String describe() {
        return id + " " + name + ", " + ByteSize.format(freeBytes) + " free of " + ByteSize.format(totalBytes);
    }
}
