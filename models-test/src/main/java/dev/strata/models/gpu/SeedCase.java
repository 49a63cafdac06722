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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The case that started Strata, on one GPU: a DeepSeek-R1-Distill-Llama-70B Q5_K_S shape (sparse
 * file, real 128,256-token vocabulary) under a 24 GiB budget. Measures the runtime overhead on a
 * tiny model first, plans with it, loads exactly the plan, warms up at the largest micro-batch,
 * generates, and prints predicted against measured peak device use. Run in its own JVM (the
 * overhead must be measured before anything else touches CUDA):
 *
 * <pre>{@code
 * java -cp ... dev.strata.models.gpu.SeedCase /tmp/work stories260K.gguf
 * }</pre>
 */
public final class SeedCase {
    private static final long BUDGET = 24L << 30;
    private static final int CONTEXT = 4096;

    private SeedCase() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path stories = Path.of(args[1]);
        Files.createDirectories(work);
        LlamaBackend llama = LlamaBackend.get();
        BackendDevice idle = cuda0(llama);
        RuntimeOverhead measured = RuntimeOverhead.measure(llama, stories, "CUDA0");
        long baselineUsed = measured.contextBytes(); // includes this process's CUDA context
        long overhead = measured.runtimeBytes();
        System.out.printf(Locale.ROOT, "device %s, %s in use before any model (CUDA context), runtime overhead measured %s%n",
                idle.description(), ByteSize.format(baselineUsed), ByteSize.format(overhead));

        Path model = work.resolve("deepseek-r1-distill-llama-70b-q5_k_s.gguf");
        SyntheticModels.write(model, Zoo.llama3_70b(), QuantMix.Q5_K_S, LlamaVocabs.locate(), DataMode.SPARSE, 1);
        ModelShape shape = ModelShape.of(GgufFile.read(model));
        // The budget covers everything this process holds on the device, its CUDA context included:
        // that context is already taken out of the free figure, so it comes off the cap as well.
        DeviceBudget budget = new DeviceBudget(DeviceId.cuda(0), BUDGET - baselineUsed, idle.freeBytes(), 0, 0, 0);
        // Flash attention on in the plan and in the context alike: with AUTO llama.cpp decides per
        // device after the plan, and the compute buffers of the two paths differ.
        KvCacheParams kv = KvCacheParams.defaults().withContext(CONTEXT).withBatch(512, 512)
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
        System.out.printf(Locale.ROOT, "plan (%.1f ms): %d of 80 layers on CUDA0 (n_gpu_layers %d), %s%n", planMillis,
                gpu.layerCount(), p.gpuLayers(), p.reason());
        System.out.printf(Locale.ROOT, "predicted CUDA0: weights %s, KV %s, compute %s, overhead %s, context %s: total %s of %s%n",
                mib(gpu.weightBytes()), mib(gpu.kvBytes()), mib(gpu.computeBytes()), mib(gpu.overheadBytes()),
                mib(baselineUsed), mib(predicted), mib(BUDGET));

        PeakSampler sampler = new PeakSampler(llama);
        sampler.start();
        String text;
        MemoryBreakdown breakdown;
        try (LlamaModel m = LlamaModel.load(llama, model, ModelParams.defaults().withGpuLayers(p.gpuLayers())
                .withSplit(SplitMode.LAYER, 0, p.tensorSplit()), null);
             LlamaContext ctx = LlamaContext.create(m, ContextParams.defaults().withContextSize(CONTEXT).withBatch(512, 512)
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
                mib(peak), mib(predicted), mib(predicted - peak), 100.0 * (predicted - peak) / peak, mib(BUDGET),
                peak <= BUDGET ? "within budget" : "OVER BUDGET");
        System.out.println("generated " + text.length() + " characters without error");
        Files.deleteIfExists(model);
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
        return llama.devices().stream().filter(d -> d.name().equals("CUDA0")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no CUDA0: is the cuda variant loaded?"));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /** Samples CUDA0's used memory (total − free, as cudaMemGetInfo sees it) every few milliseconds. */
    private static final class PeakSampler {
        private final LlamaBackend llama;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong();
        private Thread thread;

        PeakSampler(LlamaBackend llama) {
            this.llama = llama;
        }

        void start() {
            thread = new Thread(() -> {
                while (running.get()) {
                    BackendDevice d = cuda0(llama);
                    peak.accumulateAndGet(d.totalBytes() - d.freeBytes(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
            }, "peak-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            BackendDevice d = cuda0(llama);
            peak.accumulateAndGet(d.totalBytes() - d.freeBytes(), Math::max);
            running.set(false);
            thread.join();
        }

        long peakUsed() {
            return peak.get();
        }
    }
}
