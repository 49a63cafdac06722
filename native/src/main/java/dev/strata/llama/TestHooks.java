package dev.strata.llama;

/**
 * For tests only: makes the bridge fail on purpose where a real machine fails rarely and
 * unpredictably, so that recovery paths can be tested on any machine. Every hook is off until a
 * test arms it, and production code never arms one.
 *
 * <pre>{@code
 * LlamaBackend.get().testHooks().failNextModelLoads(2, 64L << 20);  // two loads fail for 64 MiB
 * try { ... } finally { LlamaBackend.get().testHooks().reset(); }
 * }</pre>
 *
 * The hooks are process-wide (the native library is loaded once per JVM): a test that arms one
 * must not run concurrently with others that load models, and must {@link #reset()} it.
 */
public final class TestHooks {
    TestHooks() {}

    /**
     * The next {@code count} model loads (any thread) fail as a buffer allocation of
     * {@code requestedBytes} would: llama.cpp's own error lines are logged and
     * {@link LlamaModel#load} throws {@link AllocationFailedException} for them. A load that asks for
     * GPU layers ({@code n_gpu_layers != 0}) or a GPU tensor override fails on the first GPU ("CUDA0"
     * on a build without one, as if it had it); any other load fails on the CPU. Vocabulary-only and
     * dry-run loads allocate nothing and are not counted.
     *
     * @param count          how many loads fail; 0 disarms
     * @param requestedBytes the size the failed allocation reports, {@code >= 0}
     */
    public void failNextModelLoads(int count, long requestedBytes) {
        if (count < 0 || requestedBytes < 0) {
            throw new IllegalArgumentException("count " + count + " and requested bytes " + requestedBytes + " must be >= 0");
        }
        LlamaNative.testFailNextModelLoads(count, requestedBytes);
    }

    /**
     * Runs ggml's abort path (GGML_ABORT) on purpose, as a failed assertion deep inside llama.cpp
     * would; it must end in {@link NativeAbortException} on this thread, and the library stays usable.
     */
    public void triggerGgmlAbort() {
        LlamaNative.testTriggerGgmlAbort();
    }

    /**
     * Generates {@code tokens} tokens on {@code context} in a loop that never leaves C++, timing each step:
     * a diagnostic that tells what Java and JNI add per token from what the context itself costs. The
     * context's memory is cleared before and after.
     *
     * <pre>{@code
     * GenerationTiming t = llama.testHooks().timeGeneration(context, 128, true);
     * System.out.println(t.tokensPerSecond() + " t/s, " + t.graphsReused() + " graphs reused");
     * }</pre>
     *
     * @param feedBackGreedy false: llama-bench's tg loop ({@code llama_batch_get_one}, {@code llama_synchronize},
     *                       a random next token); true: the greedy token is fed back (the backend sampler's
     *                       when the context has one, else an argmax over the logits row)
     */
    public GenerationTiming timeGeneration(LlamaContext context, int tokens, boolean feedBackGreedy) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be at least 1, not " + tokens);
        }
        long[] raw = LlamaNative.testTimeGeneration(context.pointer(), tokens, feedBackGreedy ? 1 : 0);
        return new GenerationTiming(java.util.Arrays.copyOfRange(raw, 0, tokens),
                java.util.Arrays.copyOfRange(raw, tokens, 2 * tokens), (int) raw[2 * tokens]);
    }

    /**
     * llama-batched-bench's loop ({@code -npp prompt -ntg gen -npl streams}) on {@code context}, inside C++:
     * what its generation steps cost on this context, to set against the runtime's decode loop. Clears the
     * context's memory before and after.
     *
     * <pre>{@code
     * BatchedTiming t = llama.testHooks().timeBatched(context, 32, 128, 128);
     * System.out.printf("%.2f ms per generation step%n", t.generation().meanStepNanos() / 1e6);
     * }</pre>
     */
    public BatchedTiming timeBatched(LlamaContext context, int streams, int prompt, int gen) {
        return timeBatched(context, streams, prompt, gen, false);
    }

    /**
     * {@link #timeBatched(LlamaContext, int, int, int)}, with {@code llamaThreads} running it without the
     * bridge's CPU threadpool (as llama-batched-bench runs: ggml starts and joins its threads per graph).
     */
    public BatchedTiming timeBatched(LlamaContext context, int streams, int prompt, int gen, boolean llamaThreads) {
        long[] raw = LlamaNative.testTimeBatched(context.pointer(), streams, prompt, gen, llamaThreads);
        return new BatchedTiming(raw[0], new GenerationTiming(java.util.Arrays.copyOfRange(raw, 2, 2 + gen),
                java.util.Arrays.copyOfRange(raw, 2 + gen, 2 + 2 * gen), (int) raw[1]));
    }

    /** Disarms every hook. */
    public void reset() {
        LlamaNative.testFailNextModelLoads(0, 0);
    }
}
