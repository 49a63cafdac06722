package dev.strata.models.bench;

import dev.strata.llama.BatchedTiming;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.load.LoadedModel;
import dev.strata.runtime.load.PlannedLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * llama-batched-bench's own loop, run in C++ ({@link dev.strata.llama.TestHooks#timeBatched}) on a context
 * that Strata's loader makes with the options of the benchmark's stream model: it splits a gap in the
 * aggregate tests between the context (this loop is as slow as Strata's) and Strata's decode loop (this
 * loop is as fast as llama-batched-bench).
 */
final class CppBatchedLoop {
    /**
     * Medians over the timed runs.
     *
     * @param streams      sequences decoded together
     * @param promptMillis the prompt phase
     * @param stepMillis   one generation step: inside llama_decode plus the wait for its result
     * @param decodeMicros of that, inside llama_decode
     * @param graphsReused generation steps that reused the previous graph, of {@code steps}
     * @param stepSamples  each timed run's mean generation step (ms), in run order
     */
    record Result(int streams, double promptMillis, double stepMillis, double decodeMicros, int graphsReused, int steps,
                  List<Double> stepSamples) {}

    private CppBatchedLoop() {}

    /** {@link #time} on a context of the planned load with {@code options}, per stream count of {@code s}. */
    static List<Result> measure(Path model, LoadOptions options, BenchSettings s) {
        List<Result> results = new ArrayList<>();
        try (LoadedModel loaded = new PlannedLoader(LlamaBackend.get(), new Ledger(),
                new CudaDeviceInventory(HostMemory.system())).load(model, options, null)) {
            for (int n : s.streams()) {
                results.add(time(loaded.context(), n, s.streamPrompt(), s.streamGen(), s.reps(), false));
            }
        }
        return results;
    }

    /**
     * One warm-up run, then {@code reps} timed ones of {@code streams} × ({@code prompt} + {@code gen}) on
     * {@code context}; {@code llamaThreads} runs them without the bridge's CPU threadpool.
     */
    static Result time(LlamaContext context, int streams, int prompt, int gen, int reps, boolean llamaThreads) {
        var hooks = LlamaBackend.get().testHooks();
        hooks.timeBatched(context, streams, prompt, gen, llamaThreads);
        List<Double> promptMillis = new ArrayList<>();
        List<Double> step = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        int reused = 0;
        for (int r = 0; r < reps; r++) {
            BatchedTiming t = hooks.timeBatched(context, streams, prompt, gen, llamaThreads);
            promptMillis.add(t.promptNanos() / 1e6);
            step.add(t.generation().meanStepNanos() / 1e6);
            decode.add(t.generation().meanDecodeNanos() / 1e3);
            reused += t.generation().graphsReused();
        }
        return new Result(streams, LlamaCppTools.median(promptMillis), LlamaCppTools.median(step),
                LlamaCppTools.median(decode), reused, reps * gen, List.copyOf(step));
    }
}
