package dev.strata.llama;

import java.util.Arrays;

/**
 * A sampled token with log-probabilities taken from the raw logits of its row: the natural log of
 * the softmax over the whole vocabulary, before penalties, grammar and temperature change anything
 * (what llama.cpp's server reports with {@code post_sampling_probs} off, and what OpenAI's
 * {@code logprobs} mean). So a grammar-forced or randomly drawn token may have a low logprob, and
 * the greedy token always has the highest.
 *
 * <pre>{@code
 * SampledToken t = sampler.sampleWithLogprobs(context, index, 3);
 * t.token();          // the token the chain picked (and accepted)
 * t.topTokens()[0];   // the most likely token; equals t.token() under greedy sampling
 * }</pre>
 *
 * @param token       the token picked
 * @param logprob     its log-probability (≤ 0)
 * @param topTokens   the most likely tokens, best first (ties: lower id first); as many as asked for
 * @param topLogprobs their log-probabilities, same order
 */
public record SampledToken(int token, float logprob, int[] topTokens, float[] topLogprobs) {
    /** The most alternatives one token may report (OpenAI's {@code top_logprobs} limit). */
    public static final int MAX_TOP_LOGPROBS = 20;

    public SampledToken {
        if (topTokens.length != topLogprobs.length) {
            throw new IllegalArgumentException("top tokens and logprobs differ in length: " + topTokens.length + " vs "
                    + topLogprobs.length);
        }
        topTokens = topTokens.clone();
        topLogprobs = topLogprobs.clone();
    }

    @Override
    public int[] topTokens() {
        return topTokens.clone();
    }

    @Override
    public float[] topLogprobs() {
        return topLogprobs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampledToken t && token == t.token && Float.compare(logprob, t.logprob) == 0
                && Arrays.equals(topTokens, t.topTokens) && Arrays.equals(topLogprobs, t.topLogprobs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Integer.hashCode(token) + Float.hashCode(logprob)) + 31 * Arrays.hashCode(topTokens)
                + Arrays.hashCode(topLogprobs);
    }

    @Override
    public String toString() {
        return "SampledToken[token=" + token + ", logprob=" + logprob + ", topTokens=" + Arrays.toString(topTokens)
                + ", topLogprobs=" + Arrays.toString(topLogprobs) + "]";
    }
}
