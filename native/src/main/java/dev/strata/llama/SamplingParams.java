package dev.strata.llama;

import java.util.Optional;

/**
 * How the next token is chosen. Temperature 0 is greedy (deterministic); otherwise the chain is
 * penalties → top-k → top-p → min-p → temperature → a draw seeded with {@code seed}, after an
 * optional GBNF grammar constrains the candidates.
 *
 * <pre>{@code
 * SamplingParams greedy = SamplingParams.greedy();
 * SamplingParams creative = SamplingParams.defaults().withTemperature(0.8f).withSeed(42);
 * SamplingParams yesNo = SamplingParams.greedy().withGrammar("root ::= \"yes\" | \"no\"");
 * }</pre>
 *
 * @param temperature      0 or less = greedy; otherwise the softmax temperature
 * @param topK             keep the k most likely tokens; 0 = off
 * @param topP             keep the smallest set with cumulative probability p; 1 = off
 * @param minP             drop tokens below p × the best token's probability; 0 = off
 * @param repeatPenalty    divide logits of recent tokens by this; 1 = off
 * @param frequencyPenalty subtract this × count of each recent token; 0 = off
 * @param presencePenalty  subtract this once from each recent token; 0 = off
 * @param penaltyLastN     how many recent tokens the penalties look at; 0 = off, -1 = the whole context
 * @param seed             seed of the random draw (same seed, same text)
 * @param grammar          GBNF grammar the output must follow, if any
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
                             float frequencyPenalty, float presencePenalty, int penaltyLastN, int seed,
                             Optional<String> grammar) {

    public SamplingParams {
        grammar = grammar == null ? Optional.empty() : grammar;
        if (!Float.isFinite(temperature) || !Float.isFinite(topP) || !Float.isFinite(minP)) {
            throw new IllegalArgumentException("temperature, topP and minP must be finite");
        }
        if (topK < 0 || topP <= 0f || topP > 1f || minP < 0f || minP > 1f) {
            throw new IllegalArgumentException("need topK >= 0, 0 < topP <= 1, 0 <= minP <= 1: " + topK + ", " + topP + ", " + minP);
        }
        if (!(repeatPenalty > 0f) || !Float.isFinite(repeatPenalty) || !Float.isFinite(frequencyPenalty)
                || !Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("penalties must be finite and the repeat penalty > 0");
        }
        if (penaltyLastN < -1) {
            throw new IllegalArgumentException("penaltyLastN must be >= -1, not " + penaltyLastN);
        }
    }

    /** llama.cpp's usual defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties, seed 0. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, 0f, 0f, 64, 0, Optional.empty());
    }

    /** Always the most likely token. */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0f);
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(t, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar);
    }

    public SamplingParams withMinP(float p) {
        return new SamplingParams(temperature, topK, topP, p, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar);
    }

    public SamplingParams withPenalties(float repeat, float frequency, float presence, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, repeat, frequency, presence, lastN, seed, grammar);
    }

    public SamplingParams withSeed(int s) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, s, grammar);
    }

    public SamplingParams withGrammar(String gbnf) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN,
                seed, Optional.ofNullable(gbnf));
    }
}
