package dev.strata.runtime;

import dev.strata.llama.SamplingParams;
import java.util.Objects;

/**
 * One completion: a prompt, how many tokens at most, and how to sample them.
 *
 * <pre>{@code
 * GenerationRequest req = GenerationRequest.of("Once upon a time").withMaxTokens(64)
 *         .withSampling(SamplingParams.defaults().withSeed(7));
 * }</pre>
 *
 * @param prompt    text; the model's BOS token is added if its tokenizer asks for one
 * @param maxTokens most tokens to generate (>= 1)
 * @param sampling  how each token is chosen
 */
public record GenerationRequest(String prompt, int maxTokens, SamplingParams sampling) {
    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, not " + maxTokens);
        }
    }

    /** 128 tokens, greedy. */
    public static GenerationRequest of(String prompt) {
        return new GenerationRequest(prompt, 128, SamplingParams.greedy());
    }

    public GenerationRequest withMaxTokens(int n) {
        return new GenerationRequest(prompt, n, sampling);
    }

    public GenerationRequest withSampling(SamplingParams s) {
        return new GenerationRequest(prompt, maxTokens, s);
    }
}
