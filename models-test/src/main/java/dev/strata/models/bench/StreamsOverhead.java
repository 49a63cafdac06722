package dev.strata.models.bench;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.load.ContextLayout;
import dev.strata.runtime.load.LoadedModel;
import dev.strata.runtime.load.PlannedLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the aggregate tests' generation steps lose time against llama-batched-bench: its loop, in C++
 * ({@link dev.strata.llama.TestHooks#timeBatched}), on contexts that differ from the benchmark's stream
 * context in one thing each: how the model was loaded (Strata's planned load or a plain full offload),
 * backend sampling (off or on), and whose CPU threads run the graph's
 * CPU part (the bridge's threadpool or ggml's per-graph threads, as llama-batched-bench has). First
 * llama-batched-bench itself, when its directory is given. Prints one line per case.
 *
 * <pre>{@code
 * STRATA_GPU_MAIN_LOG=quiet STRATA_GPU_MAIN="dev.strata.models.bench.StreamsOverhead /tmp/strata-gpu - /tmp/strata-gpu/llama-tools/cuda" \
 *     bash models-test/gpu/run-gpu.sh
 * }</pre>
 */
public final class StreamsOverhead {
    private static final int PROMPT = 128;
    private static final int GEN = 128;
    private static final int REPS = 2;
    private static final int[] STREAMS = {8, 32};

    private StreamsOverhead() {}

    public static void main(String[] args) throws Exception {
        Path model = BenchModel.fromArgs(args);
        int threads = Runtime.getRuntime().availableProcessors();
        int context = 32 * (PROMPT + GEN);
        LlamaBackend llama = LlamaBackend.get();
        BenchSettings s = new BenchSettings(model, threads, -1, "auto", 512, 512, true, REPS, 128, 512,
                List.of(STREAMS[0], STREAMS[1]), PROMPT, GEN);
        if (args.length > 2) {
            tool(s, Path.of(args[2]), "before");
        }
        // one difference from the benchmark's stream context at a time (planned load, backend sampling on,
        // the bridge's threadpool), kept short: the device's calls are counted
        String[][] variants = {{"planned", "on"}, {"planned", "off"}, {"plain", "on"}, {"plain", "off"}};
        for (String[] v : variants) {
            boolean backend = v[1].equals("on");
            String what = v[0] + " load, backend sampling " + v[1];
            LoadOptions options = LoadOptions.defaults().withGpuLayers(-1).withContextSize(context).withThreads(threads)
                    .withSequences(32).withPrefixCache(false).withBackendSampling(backend);
            boolean bothThreadings = v[0].equals("planned") && v[1].equals("on");
            if (v[0].equals("planned")) {
                try (LoadedModel loaded = new PlannedLoader(llama, new Ledger(), new CudaDeviceInventory(HostMemory.system()))
                        .load(model, options, null)) {
                    cases(what, loaded.context(), bothThreadings);
                }
            } else {
                try (LlamaModel m = LlamaModel.load(llama, model, ModelParams.defaults().withGpuLayers(-1), null);
                     LlamaContext c = LlamaContext.create(m, ContextLayout.forModel(m, options, context))) {
                    cases(what, c, false);
                }
            }
        }
    }

    private static void cases(String what, LlamaContext c, boolean bothThreadings) {
        for (boolean llamaThreads : bothThreadings ? new boolean[] {false, true} : new boolean[] {false}) {
            for (int n : STREAMS) {
                CppBatchedLoop.Result r = CppBatchedLoop.time(c, n, PROMPT, GEN, REPS, llamaThreads);
                System.out.printf(Locale.ROOT, "STREAMS %-52s %-22s %2d streams: prompt %6.1f ms, step %6.2f ms (%5.0f us in llama_decode), %d of %d graphs reused; steps %s%n",
                        what, llamaThreads ? "ggml's per-graph threads" : "bridge threadpool", n, r.promptMillis(),
                        r.stepMillis(), r.decodeMicros(), r.graphsReused(), r.steps(),
                        r.stepSamples().stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
            }
        }
    }

    private static void tool(BenchSettings s, Path tools, String when) throws Exception {
        LlamaCppTools t = new LlamaCppTools(tools, Path.of(System.getProperty("java.io.tmpdir"), "streams-overhead-" + when));
        Map<Integer, LlamaCppTools.BenchResult> r = t.batchedBench(s);
        for (int n : STREAMS) {
            List<LlamaCppTools.BatchedPhases> p = t.batchedPhases().get(n);
            System.out.printf(Locale.ROOT, "STREAMS llama-batched-bench (%s) %2d streams: prompt %6.1f ms, step %6.2f ms, %.1f t/s; steps %s%n",
                    when, n, LlamaCppTools.median(p.stream().map(LlamaCppTools.BatchedPhases::promptMillis).toList()),
                    LlamaCppTools.median(p.stream().map(LlamaCppTools.BatchedPhases::stepMillis).toList()), r.get(n).median(),
                    p.stream().map(x -> String.format(Locale.ROOT, "%.2f", x.stepMillis())).toList());
        }
    }
}
