package dev.strata.memory.device;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The devices read at one moment, CUDA devices by ordinal and then the CPU, with notes that say why
 * a device is missing: no driver, no device, a device that could not be read.
 *
 * <pre>{@code
 * Inventory inv = new CudaDeviceInventory(HostMemory.system()).read();
 * if (!inv.hasCuda()) {
 *     log.info(String.join("; ", inv.notes())); // "CPU only: no NVIDIA driver (libcuda.so.1 …)"
 * }
 * for (Device d : inv.devices()) {
 *     System.out.println(d.describe());        // "cuda0 NVIDIA H100 80GB HBM3, 78.6 GiB free of 79.2 GiB"
 * }
 * }</pre>
 *
 * @param devices every device, CUDA first in ordinal order, the CPU last; exactly one CPU
 * @param notes   why devices are missing or what is assumed, one sentence each; empty when nothing is
 */
public record Inventory(List<Device> devices, List<String> notes) {

    public Inventory {
        List<Device> sorted = new ArrayList<>(devices);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        Set<DeviceId> seen = new HashSet<>();
        for (Device d : sorted) {
            if (!seen.add(d.id())) {
                throw new IllegalArgumentException("device " + d.id() + " is listed twice");
            }
        }
        if (!seen.contains(DeviceId.CPU)) {
            throw new IllegalArgumentException("an inventory always lists the CPU; got " + seen);
        }
        devices = List.copyOf(sorted);
        notes = List.copyOf(notes);
    }

    /** The CUDA devices, by ordinal; empty on a CPU-only machine. */
    public List<Device> cuda() {
        return devices.subList(0, devices.size() - 1);
    }

    /** The host. */
    public Device cpu() {
        return devices.get(devices.size() - 1);
    }

    /** Whether any CUDA device was read. */
    public boolean hasCuda() {
        return devices.size() > 1;
    }

    /** The device with this id, if it was read. */
    public Optional<Device> device(DeviceId id) {
        Objects.requireNonNull(id, "id");
        return devices.stream().filter(d -> d.id().equals(id)).findFirst();
    }
}
