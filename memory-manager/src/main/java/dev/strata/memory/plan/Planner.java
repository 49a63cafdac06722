package dev.strata.memory.plan;

import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.BufferOverride;
import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.DeviceRange;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.estimate.WeightEstimate;
import dev.strata.memory.estimate.graph.TransformerGraph;
import dev.strata.memory.shape.ModelShape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Decides where a model's layers go. A pure function: it reads only its arguments (no devices, no
 * environment) and returns the same answer for the same input.
 *
 * <p>Preference, first that fits: the whole model on one GPU (the one with the largest budget);
 * all layers split across GPUs in proportion to what each has left after overhead and compute;
 * as many layers on the GPUs as fit, the rest on the CPU; for mixture-of-experts models, all
 * layers on the GPUs with the experts of the first k layers on the CPU, when that keeps more bytes
 * on the GPUs than moving whole layers. When not even the CPU can hold the model, the context may
 * shrink (if allowed) before the planner refuses with the numbers.
 *
 * <pre>{@code
 * PlanResult r = Planner.plan(shape, List.of(new PlanDevice(budget, overhead)), request);
 * switch (r) { ... }   // Placement or PlanRefusal
 * }</pre>
 */
public final class Planner {
    private static final String CPU = LayerAssignment.CPU;

    private final ModelShape shape;
    private final List<PlanDevice> gpus;
    private final PlanRequest request;
    private final List<String> gpuNames;
    /** Compute envelope per token, per context tried: independent of the placement. */
    private final java.util.Map<KvCacheParams, Long> computeBytesByContext = new java.util.HashMap<>();

    private Planner(ModelShape shape, List<PlanDevice> gpus, PlanRequest request) {
        this.shape = shape;
        this.gpus = gpus.stream().sorted(Comparator.comparing(d -> d.budget().device())).toList();
        this.request = request;
        this.gpuNames = this.gpus.stream().map(PlanDevice::ggmlName).toList();
    }

    /**
     * Plans {@code shape} on these GPUs and the host.
     *
     * @throws UnplannableModelException when the estimates cannot be made for this shape (memory not
     *                                    modelled, or hyperparameters the estimators reject)
     */
    public static PlanResult plan(ModelShape shape, List<PlanDevice> gpus, PlanRequest request) {
        try {
            return planShrinkingContext(shape, gpus, request);
        } catch (UnsupportedOperationException | IllegalArgumentException | ArithmeticException e) {
            // the estimators' own checks: a header they cannot size is the file's problem, said once, typed
            throw new UnplannableModelException(shape.architecture(), e.getMessage(), e);
        }
    }

    private static PlanResult planShrinkingContext(ModelShape shape, List<PlanDevice> gpus, PlanRequest request) {
        Planner planner = new Planner(shape, gpus, request);
        KvCacheParams context = request.context();
        while (true) {
            PlanResult r = planner.planFor(context);
            if (r instanceof Placement || !request.contextMayShrink() || context.contextSize() / 2 < request.minimumContext()) {
                return r;
            }
            context = context.withContext(context.contextSize() / 2);
        }
    }

    private PlanResult planFor(KvCacheParams context) {
        int n = shape.layerCount();
        int all = n + 1; // llama.cpp counts the output layer
        List<Evaluation> tried = new ArrayList<>();

        // 1. everything on one GPU, the roomiest first
        List<Integer> byBudget = IntStream.range(0, gpus.size()).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> -gpus.get(i).budget().budgetBytes())).toList();
        for (int i : byBudget) {
            Evaluation e = evaluate(context, all, oneHot(i), List.of());
            if (e.fitsGpus()) {
                return e.placement("fits wholly on " + gpus.get(i).budget().device());
            }
            tried.add(e);
        }
        // 2. all layers across GPUs, in proportion to room
        if (gpus.size() > 1) {
            Evaluation e = evaluate(context, all, proportional(context), List.of());
            if (e.fitsGpus()) {
                return e.placement("split across " + gpus.size() + " GPUs in proportion to their budgets");
            }
        }
        // 3. as many layers as fit on the GPUs: fewer layers never need more GPU memory, so bisect
        Optional<Evaluation> partial = Optional.empty();
        if (!gpus.isEmpty()) {
            List<Float> split = gpus.size() == 1 ? oneHot(0) : proportional(context);
            int lo = 1;
            int hi = n;
            while (lo <= hi) {
                int ngl = (lo + hi) >>> 1;
                Evaluation e = evaluate(context, ngl, split, List.of());
                if (e.fitsGpus()) {
                    partial = Optional.of(e);
                    lo = ngl + 1;
                } else {
                    hi = ngl - 1;
                }
            }
        }
        // 4. MoE: experts of the first k layers on the CPU instead of whole layers; more experts on
        //    the CPU never need more GPU memory, so bisect for the smallest k that fits
        Optional<Evaluation> experts = Optional.empty();
        if (!gpus.isEmpty() && shape.expertCount() > 0) {
            List<Float> split = gpus.size() == 1 ? oneHot(0) : proportional(context);
            int lo = 1;
            int hi = n;
            while (lo <= hi) {
                int k = (lo + hi) >>> 1;
                Evaluation e = evaluate(context, all, split, List.of(expertsOnCpu(k)));
                if (e.fitsGpus()) {
                    experts = Optional.of(e);
                    hi = k - 1;
                } else {
                    lo = k + 1;
                }
            }
        }
        Evaluation chosen;
        String why;
        if (experts.isPresent() && (partial.isEmpty() || experts.get().gpuBytes() > partial.get().gpuBytes())) {
            chosen = experts.get();
            why = "all layers on the GPUs with the experts of " + chosen.expertLayersOnCpu() + " layers on the CPU"
                    + (partial.isPresent() ? " (keeps " + ByteSize.format(chosen.gpuBytes() - partial.get().gpuBytes())
                    + " more on the GPUs than moving whole layers)" : "");
        } else if (partial.isPresent()) {
            chosen = partial.get();
            why = chosen.gpuLayerCount() + " of " + n + " layers fit on the GPUs; " + (n - chosen.gpuLayerCount())
                    + " run on the CPU";
        } else {
            chosen = evaluate(context, 0, gpus.isEmpty() ? List.of() : oneHot(0), List.of());
            why = gpus.isEmpty() ? "no GPU: everything runs on the CPU"
                    : "not even one layer fits on a GPU (" + gpus.get(0).budget().device() + " has "
                    + ByteSize.format(gpus.get(0).budget().budgetBytes()) + " for weights, KV, "
                    + ByteSize.format(chosen.compute().bytesOn(gpuNames.get(0)) + gpus.get(0).overheadBytes())
                    + " of compute and overhead); everything runs on the CPU";
        }
        if (chosen.hostBytes() > request.hostBytes()) {
            return new PlanRefusal("needs " + ByteSize.format(chosen.hostBytes()) + " of host RAM for the CPU part's "
                    + (request.mmap() ? "KV cache and compute buffers (" : "weights, KV cache and compute buffers (")
                    + chosen.hostLayers() + " layers, context " + context.contextSize() + "), but only "
                    + ByteSize.format(request.hostBytes()) + " is available", chosen.devicePlans());
        }
        if (context.contextSize() != request.context().contextSize()) {
            why += "; context shrunk from " + request.context().contextSize() + " to " + context.contextSize();
        }
        return chosen.placement(why);
    }

    private List<Float> oneHot(int index) {
        List<Float> split = new ArrayList<>();
        for (int i = 0; i < gpus.size(); i++) {
            split.add(i == index ? 1f : 0f);
        }
        return split;
    }

    /** Split in proportion to what each GPU has after its overhead and compute buffer. */
    private List<Float> proportional(KvCacheParams context) {
        Evaluation probe = evaluate(context, shape.layerCount() + 1, IntStream.range(0, gpus.size())
                .mapToObj(i -> 1f).toList(), List.of());
        List<Float> split = new ArrayList<>();
        for (int i = 0; i < gpus.size(); i++) {
            long room = gpus.get(i).budget().budgetBytes() - gpus.get(i).overheadBytes() - probe.compute().bytesOn(gpuNames.get(i));
            split.add((float) Math.max(0, room));
        }
        float sum = (float) split.stream().mapToDouble(Float::doubleValue).sum();
        if (sum == 0f) {
            return oneHot(0);
        }
        // Fractions, not bytes: the same floats go to llama.cpp, which normalises them the same way.
        return split.stream().map(f -> f / sum).toList();
    }

    private static BufferOverride expertsOnCpu(int firstLayers) {
        String layers = IntStream.range(0, firstLayers).mapToObj(Integer::toString).collect(Collectors.joining("|"));
        return new BufferOverride("^blk\\.(" + layers + ")\\.ffn_(up|down|gate|gate_up)_exps", CPU);
    }

    private Evaluation evaluate(KvCacheParams context, int gpuLayers, List<Float> split, List<BufferOverride> overrides) {
        LayerAssignment a = LayerAssignment.llamaCpp(shape.layerCount(), gpuLayers, gpuNames, split, overrides);
        WeightEstimate weights = WeightEstimate.of(shape, a, request.repack());
        KvCacheEstimate kv = KvCacheEstimate.of(shape, a, context);
        java.util.function.Supplier<ComputeEstimate> compute;
        if (TransformerGraph.supports(shape)) {
            // per device: what the GPU holds depends on which layers it has (and copies of the CPU's);
            // replayed only for layouts whose weights and cache fit at all
            compute = () -> ComputeEstimate.of(shape, a, context, kv, gpuNames);
        } else {
            long computeBytes = computeBytesByContext.computeIfAbsent(context, c -> ComputeEstimate.bytes(shape, c, kv));
            compute = () -> ComputeEstimate.of(shape, computeBytes, a);
        }
        return new Evaluation(a, weights, kv, compute, gpuLayers, split, overrides, context);
    }

    /** One candidate layout with its estimates. */
    private final class Evaluation {
        final LayerAssignment assignment;
        final WeightEstimate weights;
        final KvCacheEstimate kv;
        private final java.util.function.Supplier<ComputeEstimate> computeSupplier;
        private ComputeEstimate compute;
        final int gpuLayers;
        final List<Float> split;
        final List<BufferOverride> overrides;
        final KvCacheParams context;

        Evaluation(LayerAssignment assignment, WeightEstimate weights, KvCacheEstimate kv,
                   java.util.function.Supplier<ComputeEstimate> compute, int gpuLayers, List<Float> split,
                   List<BufferOverride> overrides, KvCacheParams context) {
            this.assignment = assignment;
            this.weights = weights;
            this.kv = kv;
            this.computeSupplier = compute;
            this.gpuLayers = gpuLayers;
            this.split = split;
            this.overrides = overrides;
            this.context = context;
        }

        ComputeEstimate compute() {
            if (compute == null) {
                compute = computeSupplier.get();
            }
            return compute;
        }

        DevicePlan gpuPlan(int i) {
            String name = gpuNames.get(i);
            Optional<DeviceRange> range = assignment.gpuRanges().stream().filter(r -> r.device().equals(name)).findFirst();
            boolean output = assignment.outputDevice().equals(name);
            long w = weights.bytesOn(name);
            boolean used = range.isPresent() || output || w > 0;
            return new DevicePlan(gpus.get(i).budget().device(), name, range.map(DeviceRange::first).orElse(0),
                    range.map(DeviceRange::end).orElse(0), output, w, kv.bytesOn(name), used ? compute().bytesOn(name) : 0,
                    used ? gpus.get(i).overheadBytes() : 0, gpus.get(i).budget().budgetBytes());
        }

        DevicePlan hostPlan() {
            int gpuCount = gpuLayerCount();
            return new DevicePlan(DeviceId.CPU, CPU, 0, shape.layerCount() - gpuCount,
                    assignment.outputDevice().equals(CPU), weights.bytesOn(CPU), kv.bytesOn(CPU), compute().bytesOn(CPU), 0,
                    request.hostBytes());
        }

        List<DevicePlan> devicePlans() {
            List<DevicePlan> out = new ArrayList<>();
            for (int i = 0; i < gpus.size(); i++) {
                out.add(gpuPlan(i));
            }
            out.add(hostPlan());
            return out;
        }

        boolean fitsGpus() {
            // weights, cache and overhead alone over a budget: no need to replay the compute graph
            for (int i = 0; i < gpus.size(); i++) {
                String name = gpuNames.get(i);
                long fixed = weights.bytesOn(name) + kv.bytesOn(name);
                if (fixed > 0 && fixed + gpus.get(i).overheadBytes() > gpus.get(i).budget().budgetBytes()) {
                    return false;
                }
            }
            return IntStream.range(0, gpus.size()).allMatch(i -> gpuPlan(i).fits());
        }

        int gpuLayerCount() {
            return assignment.gpuRanges().stream().mapToInt(DeviceRange::size).sum();
        }

        int hostLayers() {
            return shape.layerCount() - gpuLayerCount();
        }

        long gpuBytes() {
            return IntStream.range(0, gpus.size()).mapToLong(i -> gpuPlan(i).weightBytes() + gpuPlan(i).kvBytes()).sum();
        }

        /** Host memory the CPU part needs: mapped weights are page cache, not counted (see PlanRequest.mmap). */
        long hostBytes() {
            DevicePlan h = hostPlan();
            return h.totalBytes() - (request.mmap() ? h.weightBytes() : 0);
        }

        int expertLayersOnCpu() {
            String p = overrides.isEmpty() ? "" : overrides.get(0).pattern();
            return p.isEmpty() ? 0 : p.split("\\|").length;
        }

        Placement placement(String why) {
            List<DevicePlan> g = new ArrayList<>();
            for (int i = 0; i < gpus.size(); i++) {
                g.add(gpuPlan(i));
            }
            return new Placement(g, hostPlan(), gpuLayers, split, overrides, kv.context().contextSize(),
                    shape.layerCount(), why);
        }
    }
}
