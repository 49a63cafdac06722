package dev.strata.models.bench;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.GenerationTiming;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.StepTiming;
import dev.strata.runtime.load.LoadedModel;
import dev.strata.runtime.load.PlannedLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where single-stream generation time goes outside llama.cpp: 128 single-token decodes timed on the
 * same model and thread counts: the bridge alone (decode only), the bridge with greedy sampling (what
 * the decode loop does per token) as a scan of the logits row and as llama.cpp's backend sampler (the
 * argmax in the graph), and the runtime's decode loop through {@link Model#submit} with backend
 * sampling on (the default) and off. A diagnostic for the tg128 ratio in docs/benchmarks.md.
 *
 * <pre>{@code
 * java -cp ... dev.strata.models.bench.DecodeOverhead /tmp/work [existing-model.gguf|- [threads,threads,...]]
 * // "-": the Llama-3-8B-shaped Q4_0 written into /tmp/work, as without the argument
 * }</pre>
 */
public final class DecodeOverhead {
    private static final int TOKENS = 128;
    private static final int RUNS = 7;

    private DecodeOverhead() {}

    public static void main(String[] args) throws Exception {
        Path model = BenchModel.fromArgs(args);
        LlamaBackend llama = LlamaBackend.get();
        int[] threadCounts = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {16, 4, 1};
        for (int threads : threadCounts) {
            try (LlamaModel m = LlamaModel.load(llama, model, ModelParams.defaults().withGpuLayers(-1), null)) {
                // the runtime's single-stream context (640 cells, unified KV), then llama-bench's for tg128
                // (n_ctx = n_prompt + n_gen = 128, one sequence, split KV): whether the context's shape is the gap
                for (boolean benchShape : new boolean[] {false, true}) {
                    String ctx = benchShape ? " [ctx 128, split KV]" : "";
                    ContextParams cp = ContextParams.defaults().withContextSize(benchShape ? TOKENS + 1 : 640)
                            .withBatch(512, 512).withThreads(threads, threads).withKvUnified(!benchShape).withSequences(1);
                    try (LlamaContext c = LlamaContext.create(m, cp); Sampler s = Sampler.create(m, SamplingParams.greedy())) {
                        report("bridge, decode only" + ctx, threads, direct(c, null));
                        report("bridge, decode + greedy (scan of row)" + ctx, threads, direct(c, s));
                        nativeLoop("C++ loop, llama-bench's tg (sync, random token)" + ctx, threads, c, false);
                        nativeLoop("C++ loop, greedy (argmax of row)" + ctx, threads, c, true);
                    }
                    try (LlamaContext c = LlamaContext.create(m, cp.withBackendSampling(true));
                         Sampler s = Sampler.create(m, SamplingParams.greedy())) {
                        report("bridge, decode + greedy (backend)" + ctx, threads, direct(c, s));
                        // the decode loop decodes on its own thread, not on the one that made the context
                        report("bridge, decode + greedy (backend), second thread" + ctx, threads, onAnotherThread(() -> direct(c, s)));
                        nativeLoop("C++ loop, llama-bench's tg, backend-sampling context" + ctx, threads, c, false);
                        nativeLoop("C++ loop, greedy (backend)" + ctx, threads, c, true);
                    }
                }
            }
            // the engine's planned load (placement, warm-up at the largest micro-batch) driven by the bridge
            // loop: whether what the engine loads differs from the direct load above
            LoadOptions engineLoad = LoadOptions.defaults().withGpuLayers(-1).withContextSize(640).withThreads(threads)
                    .withSequences(1).withPrefixCache(false).withBackendSampling(true);
            try (LoadedModel loaded = new PlannedLoader(llama, new Ledger(), new CudaDeviceInventory(HostMemory.system()))
                         .load(model, engineLoad, null);
                 Sampler s = Sampler.create(loaded.model(), SamplingParams.greedy())) {
                report("engine's planned load, bridge loop, greedy (backend)", threads, direct(loaded.context(), s));
                report("engine's planned load, bridge loop on a second thread", threads,
                        onAnotherThread(() -> direct(loaded.context(), s)));
            }
            for (boolean backend : new boolean[] {true, false}) {
                try (Engine engine = Engine.create();
                     Model m = engine.load(model, LoadOptions.defaults().withGpuLayers(-1).withContextSize(640)
                             .withThreads(threads).withSequences(1).withPrefixCache(false).withBackendSampling(backend))) {
                    double[] tps = new double[RUNS];
                    StepTiming before = null;
                    for (int r = -5; r < RUNS; r++) {
                        if (r == 0) {
                            before = m.stepTiming();
                        }
                        long t0 = System.nanoTime();
                        m.submit(GenerationRequest.ofTokens(new int[] {100 + r + 5}).withMaxTokens(TOKENS).withIgnoreEos(true))
                                .result().join();
                        if (r >= 0) {
                            tps[r] = TOKENS / ((System.nanoTime() - t0) / 1e9);
                        }
                    }
                    report("decode loop (Model.submit), backend " + (backend ? "on" : "off"), threads, tps);
                    StepTiming t = m.stepTiming().since(before);
                    System.out.printf(Locale.ROOT, "OVERHEAD   per step: %.0f us in decode, %.0f us sampling, %.0f us host work (%d steps)%n",
                            t.decodeNanos() / 1e3 / t.steps(), t.sampleNanos() / 1e3 / t.steps(), t.hostNanosPerStep() / 1e3, t.steps());
                }
            }
        }
    }

    private static double[] onAnotherThread(Callable<double[]> run) throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            return one.submit(run).get();
        } finally {
            one.shutdown();
        }
    }

    static double[] direct(LlamaContext c, Sampler s) {
        double[] tps = new double[RUNS];
        Batch b = new Batch(1);
        for (int r = -3; r < RUNS; r++) {
            c.clearMemory();
            int token = 100;
            long t0 = System.nanoTime();
            for (int i = 0; i < TOKENS; i++) {
                b.clear();
                b.add(token, i, 0, true);
                c.decode(b);
                token = s != null ? s.sample(c, 0) : 100 + i % 200;
            }
            if (s == null) {
                c.logits(0); // waits for the last decode, as the sampled runs do
            }
            if (r >= 0) {
                tps[r] = TOKENS / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return tps;
    }

    /**
     * The same 128 steps in a loop that never leaves C++ ({@link dev.strata.llama.TestHooks#timeGeneration}):
     * what remains of the gap to llama-bench here is the context's, not Java's. Prints the split of a step.
     */
    private static void nativeLoop(String what, int threads, LlamaContext c, boolean greedy) {
        double[] tps = new double[RUNS];
        GenerationTiming last = null;
        for (int r = -3; r < RUNS; r++) {
            last = LlamaBackend.get().testHooks().timeGeneration(c, TOKENS, greedy);
            if (r >= 0) {
                tps[r] = last.tokensPerSecond();
            }
        }
        report(what, threads, tps);
        System.out.printf(Locale.ROOT, "OVERHEAD   last run: %.0f us in llama_decode, %.0f us waiting, per step; %d of %d graphs reused%n",
                last.meanDecodeNanos() / 1e3, last.meanWaitNanos() / 1e3, last.graphsReused(), last.steps());
    }

    static void report(String what, int threads, double[] tps) {
        double[] sorted = tps.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "OVERHEAD %-66s threads %2d: median %.1f t/s  %s%n", what, threads,
                sorted[sorted.length / 2], Arrays.toString(Arrays.stream(tps).map(x -> Math.round(x * 10) / 10.0).toArray()));
    }
}
