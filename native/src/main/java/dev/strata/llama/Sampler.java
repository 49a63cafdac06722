package dev.strata.llama;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A llama.cpp sampler chain built from {@link SamplingParams}; it remembers accepted tokens (for
 * penalties and grammar state), so each generated sequence gets its own. Owns one native
 * {@code llama_sampler}.
 *
 * <pre>{@code
 * try (Sampler sampler = Sampler.create(model, SamplingParams.greedy())) {
 *     int next = sampler.sample(context, lastIndex); // also accepts it
 * }
 * }</pre>
 *
 * <p>Ownership: the caller of {@link #create} closes it; closing its model closes it too. Not
 * thread-safe.
 */
public final class Sampler implements AutoCloseable {
    private final NativeHandle handle;
    private final LlamaModel model;
    private final boolean greedy;

    private Sampler(long pointer, LlamaModel model) {
        this.handle = new NativeHandle(pointer, "sampler", LlamaNative::samplerFree);
        this.model = model;
        this.greedy = LlamaNative.samplerIsGreedy(pointer);
    }

    /**
     * @throws GrammarException when the grammar or a trigger pattern does not parse, or the grammar
     *                          rejects its prefill text
     */
    public static Sampler create(LlamaModel model, SamplingParams p) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(p, "params");
        byte[] grammar = p.grammar().map(g -> g.getBytes(StandardCharsets.UTF_8)).orElse(null);
        byte[][] patterns = p.grammarTriggerPatterns().stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        int[] tokens = p.grammarTriggerTokens().stream().mapToInt(Integer::intValue).toArray();
        byte[] prefill = p.grammarPrefill().isEmpty() ? null : p.grammarPrefill().getBytes(StandardCharsets.UTF_8);
        long pointer = LlamaNative.samplerCreate(model.pointer(), p.temperature(), p.topK(), p.topP(), p.minP(),
                p.penaltyLastN(), p.repeatPenalty(), p.frequencyPenalty(), p.presencePenalty(), p.seed(), grammar,
                null, patterns, tokens, prefill);
        Sampler sampler = new Sampler(pointer, model);
        model.register(sampler);
        return sampler;
    }

    /**
     * Whether this chain is the greedy sampler alone (temperature 0, no grammar, no penalties): its
     * token is the one {@link #greedyTokens} picks, and it keeps no state to accept.
     */
    public boolean isGreedy() {
        return greedy;
    }

    /**
     * The greedy token (first highest logit, or the graph's argmax with backend sampling) of each row
     * at {@code batchIndices} of the context's last decode, in one native call: the scans are split
     * across the context's CPU threads. What {@link #sample} returns for an {@link #isGreedy()} sampler.
     *
     * <pre>{@code
     * int[] next = Sampler.greedyTokens(context, new int[] {3, 7, 11}); // three sequences' outputs
     * }</pre>
     *
     * @throws IllegalArgumentException when a row was not an output of the last decode
     */
    public static int[] greedyTokens(LlamaContext context, int[] batchIndices) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(batchIndices, "batchIndices");
        int[] tokens = new int[batchIndices.length];
        LlamaNative.samplerGreedyTokens(context.pointer(), batchIndices, tokens);
        return tokens;
    }

    /** Picks a token from the logits at {@code batchIndex} of the context's last decode, and accepts it. */
    public int sample(LlamaContext context, int batchIndex) {
        Objects.requireNonNull(context, "context");
        if (context.model() != model) {
            throw new IllegalArgumentException("the context belongs to another model than this sampler");
        }
        return LlamaNative.samplerSample(handle.get(), context.pointer(), batchIndex);
    }

    /**
     * Picks and accepts a token as {@link #sample} does, and reports log-probabilities in the same native
     * call: the chosen token's and the {@code topLogprobs} most likely tokens' (see {@link SampledToken}).
     *
     * <pre>{@code
     * SampledToken t = sampler.sampleWithLogprobs(context, lastIndex, 5);
     * double p = Math.exp(t.logprob());   // probability of the token picked
     * }</pre>
     *
     * @param topLogprobs alternatives to report, 0 to {@link SampledToken#MAX_TOP_LOGPROBS}
     */
    public SampledToken sampleWithLogprobs(LlamaContext context, int batchIndex, int topLogprobs) {
        Objects.requireNonNull(context, "context");
        if (context.model() != model) {
            throw new IllegalArgumentException("the context belongs to another model than this sampler");
        }
        if (topLogprobs < 0 || topLogprobs > SampledToken.MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top logprobs must be 0 to " + SampledToken.MAX_TOP_LOGPROBS + ", not " + topLogprobs);
        }
        int n = Math.min(topLogprobs, model.info().vocabularySize());
        int[] ids = new int[1 + n];
        float[] logprobs = new float[1 + n];
        int token = LlamaNative.samplerSampleLogprobs(handle.get(), context.pointer(), batchIndex, ids, logprobs);
        return new SampledToken(token, logprobs[0], Arrays.copyOfRange(ids, 1, 1 + n),
                Arrays.copyOfRange(logprobs, 1, 1 + n));
    }

    /** Records a token chosen elsewhere (e.g. a prompt token) in penalty and grammar state. */
    public void accept(int token) {
        LlamaNative.samplerAccept(handle.get(), token);
    }

    /** Forgets accepted tokens; the seed's random stream restarts too. */
    public void reset() {
        LlamaNative.samplerReset(handle.get());
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    @Override
    public void close() {
        model.unregister(this);
        handle.close();
    }
}
