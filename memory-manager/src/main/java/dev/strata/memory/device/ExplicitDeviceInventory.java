package dev.strata.memory.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Devices given as text, to plan for a machine one does not have: {@code cuda0=24GiB,cuda1=24GiB}.
 *
 * <p>Syntax: comma-separated parts {@code DEVICE=SIZE}, spaces around either side allowed. DEVICE is
 * {@code cudaN} or {@code cpu} ({@link DeviceId#parse}); SIZE is a {@link ByteSize} above zero. CUDA
 * devices are numbered from {@code cuda0} without gaps, each once, in any order; {@code cpu} at most
 * once. Each device's free memory is its capacity: nothing is measured, so the CUDA runtime's own
 * overhead is <em>not</em> taken out as it is in a {@link CudaDeviceInventory} reading, and the
 * planner must add it. Without a {@code cpu} part the CPU is this machine's RAM, read anew on each
 * {@link #read()}.
 *
 * <pre>{@code
 * DeviceInventory two4090s = ExplicitDeviceInventory.parse("cuda0=24GiB,cuda1=24GiB,cpu=64GiB", host);
 * two4090s.read().cuda().size();                  // 2
 * ExplicitDeviceInventory.parse("cuda0=24GiB,cuda2=24GiB", host);
 * // DeviceSpecException: device spec "cuda0=24GiB,cuda2=24GiB": part 2 "cuda2=24GiB":
 * //   cuda1 is missing; CUDA devices are numbered from cuda0 without gaps
 * }</pre>
 */
public final class ExplicitDeviceInventory implements DeviceInventory {

    private final String spec;
    private final List<Device> cuda;
    private final Device cpu; // null: read the host
    private final HostMemory host;

    private ExplicitDeviceInventory(String spec, List<Device> cuda, Device cpu, HostMemory host) {
        this.spec = spec;
        this.cuda = List.copyOf(cuda);
        this.cpu = cpu;
        this.host = host;
    }

    /**
     * Reads a spec such as {@code cuda0=24GiB,cuda1=24GiB} or {@code cuda0=80GiB,cpu=256GiB}.
     *
     * @param host reads the CPU when the spec has no {@code cpu} part
     * @throws DeviceSpecException naming the part that is wrong and why
     */
    public static ExplicitDeviceInventory parse(String spec, HostMemory host) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(host, "host");
        if (spec.isBlank()) {
            throw new DeviceSpecException(spec, 0, spec, "empty; expected DEVICE=SIZE parts such as cuda0=24GiB", null);
        }
        String[] parts = spec.split(",", -1);
        Map<Integer, Device> cudaByIndex = new TreeMap<>();
        Map<Integer, Integer> partOfIndex = new TreeMap<>();
        Device cpu = null;
        for (int i = 0; i < parts.length; i++) {
            int number = i + 1;
            String part = parts[i].strip();
            if (part.isEmpty()) {
                throw new DeviceSpecException(spec, number, part, "empty part; parts are DEVICE=SIZE separated by commas", null);
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new DeviceSpecException(spec, number, part, "no '='; expected DEVICE=SIZE such as cuda0=24GiB", null);
            }
            DeviceId id;
            try {
                id = DeviceId.parse(part.substring(0, eq).strip());
            } catch (IllegalArgumentException e) {
                throw new DeviceSpecException(spec, number, part, e.getMessage(), e);
            }
            long bytes;
            try {
                bytes = ByteSize.parse(part.substring(eq + 1)).bytes();
            } catch (ByteSizeFormatException e) {
                throw new DeviceSpecException(spec, number, part, e.getMessage(), e);
            }
            if (bytes == 0) {
                throw new DeviceSpecException(spec, number, part, id + " has no memory; give a size above 0", null);
            }
            String name = id + " from the spec";
            Device device = new Device(id, name, "", "", bytes, bytes);
            if (id.kind() == DeviceKind.CPU) {
                if (cpu != null) {
                    throw new DeviceSpecException(spec, number, part, "cpu is given twice", null);
                }
                cpu = device;
            } else {
                if (cudaByIndex.putIfAbsent(id.index(), device) != null) {
                    throw new DeviceSpecException(spec, number, part, id + " is given twice (also in part "
                            + partOfIndex.get(id.index()) + ")", null);
                }
                partOfIndex.put(id.index(), number);
            }
        }
        int expected = 0;
        for (Map.Entry<Integer, Integer> e : partOfIndex.entrySet()) {
            if (e.getKey() != expected) {
                int number = e.getValue();
                throw new DeviceSpecException(spec, number, parts[number - 1].strip(), DeviceId.cuda(expected)
                        + " is missing; CUDA devices are numbered from cuda0 without gaps", null);
            }
            expected++;
        }
        return new ExplicitDeviceInventory(spec, new ArrayList<>(cudaByIndex.values()), cpu, host);
    }

    /** The spec this inventory was read from. */
    public String spec() {
        return spec;
    }

    /** The spec's devices, free = capacity; the CPU as the spec gives it or as this machine has it. */
    @Override
    public Inventory read() {
        List<Device> devices = new ArrayList<>(cuda);
        List<String> notes = new ArrayList<>();
        notes.add("devices from the spec \"" + spec + "\": free is the capacity given, nothing is measured"
                + " and no CUDA runtime overhead is taken out");
        if (cuda.isEmpty()) {
            notes.add(0, "CPU only: the spec names no CUDA device");
        }
        if (cpu == null) {
            notes.add("cpu: this machine's RAM (the spec has no cpu part)");
            devices.add(host.read());
        } else {
            devices.add(cpu);
        }
        return new Inventory(devices, notes);
    }
}
