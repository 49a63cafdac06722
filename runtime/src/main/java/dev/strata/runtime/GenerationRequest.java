package dev.strata.runtime;

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
 *         .withStop(List.of("\n\n", "The end"));
 * }</pre>
 *
 * @param prompt       text (the model's BOS token is added if its tokenizer asks for one); null when
 *                     {@code promptTokens} is given
 * @param promptTokens token ids to use as they are; null when {@code prompt} is given
 * @param maxTokens    most tokens to generate (>= 1)
 * @param sampling     how each token is chosen
 * @param stop         strings that end the generation; the text returned stops before the first one found
 * @param ignoreEos    keep generating through end-of-generation tokens (benchmarks, random-weight models)
 */
public record GenerationRequest(String prompt, int[] promptTokens, int maxTokens, SamplingParams sampling,
                                List<String> stop, boolean ignoreEos) {
    /** Stop strings beyond this many are refused: each is checked against every new piece of text. */
    public static final int MAX_STOP_STRINGS = 64;

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
        return new GenerationRequest(prompt, promptTokens, n, sampling, stop, ignoreEos);
    }

    public GenerationRequest withSampling(SamplingParams s) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, s, stop, ignoreEos);
    }

    public GenerationRequest withStop(List<String> strings) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, strings, ignoreEos);
    }

    public GenerationRequest withIgnoreEos(boolean ignore) {
        return new GenerationRequest(prompt, promptTokens, maxTokens, sampling, stop, ignore);
    }

    @Override
    public int[] promptTokens() {
        return promptTokens == null ? null : promptTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest r && Objects.equals(prompt, r.prompt)
                && Arrays.equals(promptTokens, r.promptTokens) && maxTokens == r.maxTokens
                && sampling.equals(r.sampling) && stop.equals(r.stop) && ignoreEos == r.ignoreEos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prompt, Arrays.hashCode(promptTokens), maxTokens, sampling, stop, ignoreEos);
    }

    @Override
    public String toString() {
        return "GenerationRequest[" + (prompt != null ? "prompt=" + prompt.length() + " chars"
                : "promptTokens=" + promptTokens.length) + ", maxTokens=" + maxTokens + ", sampling=" + sampling
                + ", stop=" + stop + ", ignoreEos=" + ignoreEos + "]";
    }
}
