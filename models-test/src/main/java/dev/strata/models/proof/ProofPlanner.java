package dev.strata.models.proof;

import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.proof.ProofCases.AccuracyCase;
import dev.strata.models.proof.ProofCases.Layout;
import java.util.ArrayList;
import java.util.List;

/**
 * The planner's side of a proof case without a GPU: the request Strata's planned loader makes
 * (context, micro-batch 512, flash attention resolved as llama.cpp will, 1 GiB reserve on free memory,
 * weights on the CPU mapped from the file), on GPUs described by numbers. The CPU check of the case
 * list (ProofCasesTest, {@link ProofPlans}) uses it to show each case exercises the layout it claims.
 *
 * <pre>{@code
 * PlanResult r = ProofPlanner.plan(shape, ProofCases.SEED_X2, ProofPlanner.Gpu.h200(), 2);
 * ProofPlanner.layout((Placement) r);   // SPLIT_PARTIAL
 * }</pre>
 */
public final class ProofPlanner {
    /** The loader's micro-batch and batch (PlannedLoader.MICRO_BATCH). */
    static final int MICRO_BATCH = 512;
    /** The loader's reserve on free memory (PlannedLoader.RESERVE_BYTES). */
    static final long RESERVE_BYTES = ByteSize.GIB;

    private ProofPlanner() {}

    /**
     * One GPU as the proof sees it before loading.
     *
     * @param totalBytes    the card
     * @param contextBytes  this process's CUDA context there (in use before any model)
     * @param overheadBytes runtime overhead a model adds beyond llama.cpp's breakdown
     */
    public record Gpu(long totalBytes, long contextBytes, long overheadBytes) {
        /** An H100 80GB as measured on 2026-11-24 (docs/seed-case.md): 527 MiB of context, 107 MiB of overhead. */
        public static Gpu h100() {
            return new Gpu(81_559L << 20, 527L << 20, 107L << 20);
        }

        /** An H200 with the H100's context and overhead figures (not measured there yet). */
        public static Gpu h200() {
            return new Gpu(143_771L << 20, 527L << 20, 107L << 20);
        }
    }

    /** Plans an accuracy case on {@code gpuCount} identical GPUs with the host's RAM not limiting. */
    public static PlanResult plan(ModelShape shape, AccuracyCase c, Gpu gpu, int gpuCount) {
        return plan(shape, c.model().context(), c.caps(), c.reserveBytes(), gpu, gpuCount, 512L << 30);
    }

    /**
     * Plans a model of {@code context} tokens under per-GPU caps for the whole process (CUDA context
     * included, {@code reserveBytes} more kept free under each); GPUs past the caps' count get none.
     */
    public static PlanResult plan(ModelShape shape, int context, List<Long> caps, long reserveBytes, Gpu gpu, int gpuCount,
                                  long hostBytes) {
        List<PlanDevice> devices = new ArrayList<>();
        for (int i = 0; i < gpuCount; i++) {
            long cap = i < caps.size() ? Math.max(1, caps.get(i) - gpu.contextBytes() - reserveBytes) : 1;
            DeviceBudget b = new DeviceBudget(DeviceId.cuda(i), cap, gpu.totalBytes() - gpu.contextBytes(), RESERVE_BYTES, 0, 0);
            devices.add(new PlanDevice(b, gpu.overheadBytes()));
        }
        KvCacheParams kv = KvCacheParams.defaults().withContext(context).withBatch(MICRO_BATCH, MICRO_BATCH);
        return Planner.plan(shape, devices, new PlanRequest(kv, false, 256, CpuRepack.NONE, hostBytes, true));
    }

    /** What a placement does, in the terms of {@link Layout}. */
    public static Layout layout(Placement p) {
        long gpus = p.gpus().stream().filter(d -> d.layerCount() > 0 || d.output()).count();
        boolean cpu = p.cpuLayers() > 0 || !p.overrides().isEmpty();
        if (gpus >= 2) {
            return cpu ? Layout.SPLIT_PARTIAL : Layout.SPLIT;
        }
        return cpu || gpus == 0 ? Layout.PARTIAL : Layout.FULL;
    }

    /** "layers 4-42 + output", "output", or "-" for nothing. */
    public static String layers(DevicePlan d) {
        String range = d.layerCount() == 0 ? "" : d.layerCount() == 1 ? "layer " + d.firstLayer()
                : "layers " + d.firstLayer() + "-" + (d.endLayer() - 1);
        if (d.output()) {
            range = range.isEmpty() ? "output" : range + " + output";
        }
        return range.isEmpty() ? "-" : range;
    }

    /** One line per device and the CPU: layers and predicted bytes, then llama.cpp's parameters and the reason. */
    public static List<String> describe(Placement p) {
        List<String> lines = new ArrayList<>();
        for (DevicePlan d : p.gpus()) {
            lines.add(String.format(java.util.Locale.ROOT, "%s: %s; weights %s, KV %s, compute %s, overhead %s (total %s)",
                    d.device(), layers(d), Mib.of(d.weightBytes()), Mib.of(d.kvBytes()), Mib.of(d.computeBytes()),
                    Mib.of(d.overheadBytes()), Mib.of(d.totalBytes())));
        }
        DevicePlan h = p.host();
        lines.add(String.format(java.util.Locale.ROOT, "cpu: %s (%d of %d layers); weights %s, KV %s, compute %s",
                layers(h), p.cpuLayers(), p.layerCount(), Mib.of(h.weightBytes()), Mib.of(h.kvBytes()), Mib.of(h.computeBytes())));
        if (!p.overrides().isEmpty()) {
            lines.add("tensor overrides: " + p.overrides());
        }
        lines.add("llama.cpp: n_gpu_layers=" + p.gpuLayers() + " tensor_split=" + p.tensorSplit() + "; context "
                + p.contextSize() + "; " + p.reason());
        return lines;
    }
}
