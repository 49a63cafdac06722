package dev.strata.runtime;

import dev.strata.llama.SampledToken;
import dev.strata.llama.SamplingParams;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One completion: a prompt (text, or tokens already made), how many tokens at most, how to sample
 * them, and the strings that end it.
 *
 * <pre>{@code
 * GenerationRequest req = GenerationRequest.of("Once upon a time").withMaxTokens(64)
 *         .withSampling(SamplingParams.defaults().withSeed(7))
 *         .withStop(List.of("\n\n", "The end"))
 *         .withLogprobs(5);   // each token's logprob and the 5 most likely alternatives
 * }</pre>
 *
 * @param prompt       text (the model's BOS token is added if its tokenizer asks for one); null when
 *                     {@code promptTokens} is given
 * @param promptTokens token ids to use as they are; null when {@code prompt} is given
 * @param maxTokens    most tokens to generate (>= 1)
 * @param sampling     how each token is chosen
 * @param stop         strings that end the generation; the text returned stops before the first one found
 * @param ignoreEos    keep generating through end-of-generation tokens (benchmarks, random-weight models)
 * @param specialTokens the prompt text contains special tokens written out (as chat templates write
 *                     {@code <|im_start|>}) that must be read as those tokens, not as plain text
 * @param preservedTokens special tokens shown in the generated text when generated (a tool-call
 *                     marker the chat parser needs); other special tokens produce no text
 * @param topLogprobs  {@link #LOGPROBS_OFF} (-1, the default): no log-probabilities; 0 to
 *                     {@link #MAX_TOP_LOGPROBS}: each token carries its logprob and this many of the most
 *                     likely alternatives (see {@link TokenLogprobs} for what the numbers mean)
 */
public record GenerationRequest(String prompt, int[] promptTokens, int maxTokens, SamplingParams sampling,
                                List<String> stop, boolean ignoreEos, boolean specialTokens,
                                List<String> preservedTokens, int topLogprobs) {
    /** Stop strings beyond this many are refused: each is checked against every new piece of text. */
    public static final int MAX_STOP_STRINGS = 64;
    /** {@link #topLogprobs()} when no log-probabilities are asked for. */
    public static final int LOGPROBS_OFF = -1;
    /** The most alternatives per token (OpenAI's {@code top_logprobs} limit). */
    public static final int MAX_TOP_LOGPROBS = SampledToken.MAX_TOP_LOGPROBS;

    public GenerationRequest {
        if ((prompt == null) == (promptTokens == null)) {
            throw new IllegalArgumentException("give either a prompt text or prompt tokens, not both or neither");
        }
        Objects.requireNonNull(sampling, "sampling");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, not " + maxTokens);
        }
        stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new IllegalArgumentException("at most " + MAX_STOP_STRINGS + " stop strings, not " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
        promptTokens = promptTokens == null ? null : promptTokens.clone();
        preservedTokens = List.copyOf(Objects.requireNonNull(preservedTokens, "preservedTokens"));
        if (topLogprobs < LOGPROBS_OFF || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top logprobs must be 0 to " + MAX_TOP_LOGPROBS + " (or " + LOGPROBS_OFF
                    + " for none), not " + topLogprobs);
        }
    }

    /** Without log-probabilities. */
    public GenerationRequest(String prompt, int[] promptTokens, int maxTokens, SamplingParams sampling,
                             List<String> stop, boolean ignoreEos, boolean specialTokens, List<String> preservedTokens) {
        this(prompt, promptTokens, maxTokens, sampling, stop, ignoreEos, specialTokens, preservedTokens, LOGPROBS_OFF);
    }

    /** Without special-token handling. */
    public GenerationRequest(String prompt, int[] promptTokens, int maxTokens, SamplingParams sampling,
                             List<String> stop, boolean ignoreEos) {
        this(prompt, promptTokens, maxTokens, sampling, stop, ignoreEos, false, List.of());
    }

    /** A text prompt, 128 tokens, greedy. */
    public GenerationRequest(String prompt, int maxTokens, SamplingParams sampling) {
        this(prompt, null, maxTokens, sampling, List.of(), false);
    }

    /** 128 tokens, greedy. */
    public static GenerationRequest of(String prompt) {
        return new GenerationRequest(Objects.requireNonNull(prompt, "prompt"), null, 128, SamplingParams.greedy(),
                List.of(), false);
    }

    /** A prompt of token ids, used as they are (no BOS added); 128 tokens, greedy. */
    public static GenerationRequest ofTokens(int[] tokens) {
        return new GenerationRequest(null, Objects.requireNonNull(tokens, "tokens"), 128, SamplingParams.greedy(),
                List.of(), false);
    }

    public GenerationRequest withMaxTokens(int n) {
        return new GenerationRequest(prompt, promptTokens, n, sampling, stop, ignoreEos, specialTokens, preservedTokens, topLogprobs);
    }

    public GenerationRequest withSampling(SamplingParams s) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, s, stop, ignoreEos, specialTokens, preservedTokens, topLogprobs);
    }

    public GenerationRequest withStop(List<String> strings) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, strings, ignoreEos, specialTokens,
                preservedTokens, topLogprobs);
    }

    public GenerationRequest withIgnoreEos(boolean ignore) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, stop, ignore, specialTokens, preservedTokens, topLogprobs);
    }

    /** Parse special tokens in the prompt text, and show {@code preserved} ones in the output. */
    public GenerationRequest withSpecialTokens(boolean parse, List<String> preserved) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, stop, ignoreEos, parse, preserved, topLogprobs);
    }

    /**
     * Each generated token carries its log-probability and the {@code top} most likely alternatives
     * (0 to {@link #MAX_TOP_LOGPROBS}); costs one pass over the step's logits per token.
     */
    public GenerationRequest withLogprobs(int top) {
        if (top < 0 || top > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top logprobs must be 0 to " + MAX_TOP_LOGPROBS + ", not " + top);
        }
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, stop, ignoreEos, specialTokens, preservedTokens, top);
    }

    /** No log-probabilities (the default). */
    public GenerationRequest withoutLogprobs() {
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, stop, ignoreEos, specialTokens, preservedTokens,
                LOGPROBS_OFF);
    }

    /** Whether tokens carry log-probabilities. */
    public boolean logprobs() {
        return topLogprobs != LOGPROBS_OFF;
    }

    @Override
    public int[] promptTokens() {
        return promptTokens == null ? null : promptTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest r && Objects.equals(prompt, r.prompt)
                && Arrays.equals(promptTokens, r.promptTokens) && maxTokens == r.maxTokens
                && sampling.equals(r.sampling) && stop.equals(r.stop) && ignoreEos == r.ignoreEos
                && specialTokens == r.specialTokens && preservedTokens.equals(r.preservedTokens)
                && topLogprobs == r.topLogprobs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prompt, Arrays.hashCode(promptTokens), maxTokens, sampling, stop, ignoreEos, specialTokens,
                preservedTokens, topLogprobs);
    }

    @Override
    public String toString() {
        return "GenerationRequest[" + (prompt != null ? "prompt=" + prompt.length() + " chars"
                : "promptTokens=" + promptTokens.length) + ", maxTokens=" + maxTokens + ", sampling=" + sampling
                + ", stop=" + stop + ", ignoreEos=" + ignoreEos + ", specialTokens=" + specialTokens
                + ", preservedTokens=" + preservedTokens + ", topLogprobs=" + topLogprobs + "]";
    }
}
