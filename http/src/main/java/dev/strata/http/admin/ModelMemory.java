package dev.strata.http.admin;

import dev.strata.llama.MemoryBreakdown;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.runtime.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Per device, what a loaded model was estimated to need and what it holds, from what the runtime
 * recorded at load (the placement, the measured bytes, the buffers after the warm-up): no native call.
 *
 * <pre>{@code
 * for (DeviceMemory m : ModelMemory.of(model)) {
 *     System.out.println(m.device() + " " + m.estimated() + " " + m.measured());
 * }
 * }</pre>
 */
public final class ModelMemory {
    private ModelMemory() {}

    /** One entry per device the model holds or was planned to hold memory on, CUDA devices first, then the CPU. */
    public static List<DeviceMemory> of(Model model) {
        Map<DeviceId, MemoryParts> estimated = estimated(model.placement().orElse(null));
        Map<DeviceId, MemoryParts> buffers = buffers(model.memoryAtLoad());
        Map<DeviceId, Long> measuredTotals = model.measuredBytes();
        TreeSet<DeviceId> devices = new TreeSet<>();
        devices.addAll(estimated.keySet());
        devices.addAll(buffers.keySet());
        devices.addAll(measuredTotals.keySet());
        List<DeviceMemory> out = new ArrayList<>();
        for (DeviceId d : devices) {
            MemoryParts own = buffers.get(d);
            Long total = measuredTotals.get(d);
            MemoryParts measured = own;
            if (total != null) {
                MemoryParts base = own != null ? own : new MemoryParts(0, 0, 0, 0);
                // a GPU's measured figure is the free memory it lost: what is not llama.cpp's buffers is overhead
                measured = new MemoryParts(base.weights(), base.kv(), base.compute(), Math.max(0, total - base.total()));
            }
            MemoryParts e = estimated.get(d);
            if (isZero(e) && isZero(measured)) {
                continue;
            }
            out.add(new DeviceMemory(d.toString(), e, measured));
        }
        return out;
    }

    private static boolean isZero(MemoryParts p) {
        return p == null || p.total() == 0;
    }

    private static Map<DeviceId, MemoryParts> estimated(Placement placement) {
        Map<DeviceId, MemoryParts> out = new TreeMap<>();
        if (placement == null) {
            return out;
        }
        List<DevicePlan> plans = new ArrayList<>(placement.gpus());
        plans.add(placement.host());
        for (DevicePlan p : plans) {
            out.put(p.device(), new MemoryParts(p.weightBytes(), p.kvBytes(), p.computeBytes(), p.overheadBytes()));
        }
        return out;
    }

    /** llama.cpp's buffers by device: host buffer types (CPU, CUDA_Host, repacks) are the CPU's. */
    private static Map<DeviceId, MemoryParts> buffers(MemoryBreakdown breakdown) {
        Map<DeviceId, MemoryParts> out = new TreeMap<>();
        for (MemoryBreakdown.Buffer b : breakdown.buffers()) {
            DeviceId d = b.host() ? DeviceId.CPU : device(b.device());
            if (d == null) {
                continue;
            }
            MemoryParts p = out.getOrDefault(d, new MemoryParts(0, 0, 0, 0));
            out.put(d, new MemoryParts(p.weights() + b.modelBytes(), p.kv() + b.contextBytes(),
                    p.compute() + b.computeBytes(), 0));
        }
        return out;
    }

    private static DeviceId device(String ggmlName) {
        try {
            return DeviceId.parse(ggmlName);
        } catch (IllegalArgumentException notCudaOrCpu) {
            return null; // a backend Strata does not place on (none today)
        }
    }
}
