package dev.strata.runtime.load;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a loaded model holds per device, measured, and how that compares with the estimate. */
final class DeviceUse {
    private DeviceUse() {}

    /** Free bytes per GPU now, by ggml name ("CUDA0"). */
    static Map<String, Long> gpuFree(LlamaBackend backend) {
        Map<String, Long> free = new LinkedHashMap<>();
        for (BackendDevice d : backend.devices()) {
            if (d.isGpu()) {
                free.put(d.name(), d.freeBytes());
            }
        }
        return free;
    }

    /**
     * What the model holds per device: on a GPU, how much less is free than before the load (cuBLAS and
     * pool memory included, which is what a budget must cover; a concurrent load on the same GPU would
     * show here too); on the CPU, llama.cpp's host buffers.
     */
    static Map<DeviceId, Long> measure(LlamaBackend backend, Placement placement, Map<String, Long> freeBefore,
            MemoryBreakdown breakdown) {
        Map<String, Long> freeAfter = gpuFree(backend);
        Map<DeviceId, Long> measured = new LinkedHashMap<>();
        for (DevicePlan gpu : placement.gpus()) {
            Long before = freeBefore.get(gpu.ggmlName());
            Long after = freeAfter.get(gpu.ggmlName());
            if (before != null && after != null) {
                measured.put(gpu.device(), Math.max(0, before - after));
            }
        }
        long hostBytes = breakdown.buffers().stream().filter(MemoryBreakdown.Buffer::host)
                .mapToLong(MemoryBreakdown.Buffer::totalBytes).sum();
        measured.put(DeviceId.CPU, hostBytes);
        return measured;
    }

    /** Bytes per device the placement predicts: what the ledger reserves before the load. */
    static Map<DeviceId, Long> estimate(Placement placement) {
        Map<DeviceId, Long> estimate = new LinkedHashMap<>();
        placement.gpus().forEach(d -> estimate.put(d.device(), d.totalBytes()));
        estimate.put(placement.host().device(), placement.host().totalBytes());
        return estimate;
    }

    /** "cuda0 2.1 GiB, cpu 310 MiB". */
    static String format(Map<DeviceId, Long> bytes) {
        return bytes.entrySet().stream().map(e -> e.getKey() + " " + ByteSize.format(e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** "cuda0 estimated 2.1 GiB, measured 2.3 GiB; cpu estimated …", devices with nothing either way left out. */
    static String compare(Map<DeviceId, Long> estimate, Map<DeviceId, Long> measured) {
        List<String> each = new ArrayList<>();
        estimate.forEach((device, planned) -> {
            long got = measured.getOrDefault(device, 0L);
            if (planned > 0 || got > 0) {
                each.add(String.format(Locale.ROOT, "%s estimated %s, measured %s", device, ByteSize.format(planned),
                        ByteSize.format(got)));
            }
        });
        return String.join("; ", each);
    }
}
