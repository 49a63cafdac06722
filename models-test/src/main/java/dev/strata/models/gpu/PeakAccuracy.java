package dev.strata.models.gpu;

import dev.strata.llama.Batch;
import dev.strata.llama.BackendDevice;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Sampler;
import dev.strata.llama.RuntimeOverhead;
import dev.strata.llama.SamplingParams;
import dev.strata.llama.SplitMode;
import dev.strata.llama.TensorOverride;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Predicted against measured peak device use, one case per JVM (the runtime overhead must be
 * measured before anything else touches CUDA): measures the overhead on a tiny model, writes the
 * case's model as a sparse GGUF, plans it in pure Java under the case's budget, loads exactly the
 * plan, warms up at the largest micro-batch, generates, and prints predicted against measured peak
 * (device use sampled every 2 ms). The first case is the one that started Strata: a
 * DeepSeek-R1-Distill-Llama-70B Q5_K_S shape under a 24 GiB budget.
 *
 * <pre>{@code
 * java -cp ... dev.strata.models.gpu.PeakAccuracy /tmp/work stories260K.gguf seed
 * }</pre>
 */
public final class PeakAccuracy {
    /** A model shape, its quantization, a context and a budget for the GPU's whole use by this process. */
    record Case(String name, String title, ModelSpec spec, QuantMix mix, int context, long budget) {}

    static final List<Case> CASES = List.of(
            new Case("seed", "DeepSeek-R1-Distill-Llama-70B Q5_K_S shape under a 24 GiB budget", Zoo.llama3_70b(),
                    QuantMix.Q5_K_S, 4096, 24L << 30),
            new Case("llama3-8b-full", "Llama-3-8B Q4_K_M, context 32768, every layer on the GPU", Zoo.llama3_8b(),
                    QuantMix.Q4_K_M, 32768, 40L << 30),
            new Case("gemma3-27b-16g", "Gemma-3-27B Q4_K_M, context 16384, under a 16 GiB budget", Zoo.gemma3_27b(),
                    QuantMix.Q4_K_M, 16384, 16L << 30),
            new Case("qwen3moe-12g", "Qwen3-30B-A3B Q4_K_M, context 8192, under a 12 GiB budget", Zoo.qwen3_30b_a3b(),
                    QuantMix.Q4_K_M, 8192, 12L << 30),
            new Case("mistral-7b-6g", "Mistral-7B Q8_0, context 32768, under a 6 GiB budget", Zoo.mistral7b_v03(),
                    QuantMix.Q8_0, 32768, 6L << 30));

    private PeakAccuracy() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path stories = Path.of(args[1]);
        String name = args.length > 2 ? args[2] : "seed";
        Case c = CASES.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no case " + name + "; cases: " + CASES.stream().map(Case::name).toList()));
        final long budgetBytes = c.budget();
        final int context = c.context();
        System.out.println("=== " + c.name() + ": " + c.title());
        Files.createDirectories(work);
        LlamaBackend llama = LlamaBackend.get();
        GpuRequirement.orExit(llama.devices(), 1, llama.variant().id());
        BackendDevice idle = cuda0(llama);
        RuntimeOverhead measured = RuntimeOverhead.measure(llama, stories, "CUDA0");
        long baselineUsed = measured.contextBytes(); // includes this process's CUDA context
        long overhead = measured.runtimeBytes();
        System.out.printf(Locale.ROOT, "device %s, %s in use before any model (CUDA context), runtime overhead measured %s%n",
                idle.description(), ByteSize.format(baselineUsed), ByteSize.format(overhead));

        Path model = work.resolve(c.name() + ".gguf");
        SyntheticModels.write(model, c.spec(), c.mix(), LlamaVocabs.locate(), DataMode.SPARSE, 1);
        ModelShape shape = ModelShape.of(GgufFile.read(model));
        // The budget covers everything this process holds on the device, its CUDA context included:
        // that context is already taken out of the free figure, so it comes off the cap as well.
        DeviceBudget budget = new DeviceBudget(DeviceId.cuda(0), budgetBytes - baselineUsed, idle.freeBytes(), 0, 0, 0);
        // Flash attention on in the plan and in the context alike: with AUTO llama.cpp decides per
        // device after the plan, and the compute buffers of the two paths differ.
        KvCacheParams kv = KvCacheParams.defaults().withContext(context).withBatch(512, 512)
                .withFlashAttention(dev.strata.memory.estimate.FlashAttention.ENABLED);
        long t0 = System.nanoTime();
        PlanResult result = Planner.plan(shape, List.of(new PlanDevice(budget, overhead)),
                new PlanRequest(kv, false, 256, CpuRepack.NONE, 100L << 30, true));
        double planMillis = (System.nanoTime() - t0) / 1e6;
        if (!(result instanceof Placement p)) {
            System.out.println("REFUSED: " + result);
            System.exit(1);
            return;
        }
        DevicePlan gpu = p.gpus().get(0);
        long predicted = baselineUsed + gpu.totalBytes();
        System.out.printf(Locale.ROOT, "plan (%.1f ms): %d of %d layers on CUDA0 (n_gpu_layers %d), %s%n", planMillis,
                gpu.layerCount(), shape.layerCount(), p.gpuLayers(), p.reason());
        System.out.printf(Locale.ROOT, "predicted CUDA0: weights %s, KV %s, compute %s, overhead %s, context %s: total %s of %s%n",
                mib(gpu.weightBytes()), mib(gpu.kvBytes()), mib(gpu.computeBytes()), mib(gpu.overheadBytes()),
                mib(baselineUsed), mib(predicted), mib(budgetBytes));

        DevicePeakSampler sampler = new DevicePeakSampler(llama, "CUDA0");
        sampler.start();
        String text;
        MemoryBreakdown breakdown;
        List<TensorOverride> overrides = p.overrides().stream().map(o -> new TensorOverride(o.pattern(), o.device())).toList();
        try (LlamaModel m = LlamaModel.load(llama, model, ModelParams.defaults().withGpuLayers(p.gpuLayers())
                .withSplit(SplitMode.LAYER, 0, p.tensorSplit()).withTensorOverrides(overrides), null);
             LlamaContext ctx = LlamaContext.create(m, ContextParams.defaults().withContextSize(context).withBatch(512, 512)
                     .withFlashAttention(dev.strata.llama.FlashAttention.ENABLED))) {
            breakdown = ctx.memoryBreakdown();
            warmUp(ctx);
            text = generate(m, ctx);
        } finally {
            sampler.stop();
        }
        long peak = sampler.peakUsed();
        long onCuda = breakdown.bytesOn("CUDA0");
        System.out.printf(Locale.ROOT, "llama.cpp breakdown CUDA0: weights %s, KV %s, compute %s (total %s)%n",
                mib(sum(breakdown, "CUDA0", 0)), mib(sum(breakdown, "CUDA0", 1)), mib(sum(breakdown, "CUDA0", 2)), mib(onCuda));
        System.out.printf(Locale.ROOT, "measured peak CUDA0 use %s; predicted %s; difference %s (%+.2f%%); budget %s, %s%n",
                mib(peak), mib(predicted), mib(predicted - peak), 100.0 * (predicted - peak) / peak, mib(budgetBytes),
                peak <= budgetBytes ? "within budget" : "OVER BUDGET");
        long allowed = Math.max(64L << 20, peak / 100);
        System.out.println("generated " + text.length() + " characters without error");
        Files.deleteIfExists(model);
        if (Math.abs(predicted - peak) > allowed || peak > budgetBytes) {
            System.out.println("FAILED: off by more than 1% or 64 MiB, or over the budget");
            System.exit(1);
        }
    }

    private static long sum(MemoryBreakdown b, String device, int what) {
        return b.buffers().stream().filter(x -> !x.host() && x.device().equals(device))
                .mapToLong(x -> what == 0 ? x.modelBytes() : what == 1 ? x.contextBytes() : x.computeBytes()).sum();
    }

    private static void warmUp(LlamaContext ctx) {
        Batch batch = new Batch(ctx.microBatch());
        for (int i = 0; i < ctx.microBatch(); i++) {
            batch.add(1 + i % 100, i, 0, i == ctx.microBatch() - 1);
        }
        if (ctx.decode(batch) != DecodeStatus.OK) {
            throw new IllegalStateException("warm-up decode failed");
        }
        ctx.clearMemory();
    }

    private static String generate(LlamaModel m, LlamaContext ctx) {
        int[] prompt = m.tokenize("Once upon a time", true, false);
        Batch batch = new Batch(ctx.batchSize());
        for (int i = 0; i < prompt.length; i++) {
            batch.add(prompt[i], i, 0, i == prompt.length - 1);
        }
        ctx.decode(batch);
        StringBuilder out = new StringBuilder();
        try (Sampler s = Sampler.create(m, SamplingParams.greedy())) {
            int last = prompt.length - 1;
            for (int pos = prompt.length; pos < prompt.length + 16; pos++) {
                int t = s.sample(ctx, last);
                out.append(new String(m.tokenPiece(t, false), java.nio.charset.StandardCharsets.UTF_8));
                batch.clear();
                last = batch.add(t, pos, 0, true);
                if (ctx.decode(batch) != DecodeStatus.OK) {
                    throw new IllegalStateException("decode failed");
                }
            }
        }
        return out.toString();
    }

    private static BackendDevice cuda0(LlamaBackend llama) {
        return DevicePeakSampler.device(llama, "CUDA0");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }
}
