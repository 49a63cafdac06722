package dev.strata.llama;

import java.util.List;
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
 * // Free text until the model writes "<tool_call>", then the grammar holds from that match on:
 * SamplingParams tools = SamplingParams.greedy().withLazyGrammar(toolGbnf, List.of("<tool_call>[\\s\\S]*"), List.of());
 * }</pre>
 *
 * <p>A grammar with trigger patterns or tokens is <em>lazy</em>, as in llama.cpp's common sampler:
 * it is idle until a pattern matches the generated text (the grammar then starts at the pattern's
 * first capture group, or the whole match) or a trigger token is sampled (the grammar starts with
 * it). A chat template's tool-call grammar is usually lazy; {@code dev.strata.runtime.chat} fills
 * these fields in.
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
 * @param grammar          GBNF grammar (root rule {@code root}) the output must follow, if any
 * @param grammarTriggerPatterns regexes that wake a lazy grammar; empty with no trigger tokens = eager
 * @param grammarTriggerTokens   token ids that wake a lazy grammar; empty with no patterns = eager
 * @param grammarPrefill   text the prompt already ends with that an eager grammar must consume
 *                         first (a chat template's generation prompt); "" = none
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
                             float frequencyPenalty, float presencePenalty, int penaltyLastN, int seed,
                             Optional<String> grammar, List<String> grammarTriggerPatterns,
                             List<Integer> grammarTriggerTokens, String grammarPrefill) {

    public SamplingParams {
        grammar = grammar == null ? Optional.empty() : grammar;
        grammarTriggerPatterns = grammarTriggerPatterns == null ? List.of() : List.copyOf(grammarTriggerPatterns);
        grammarTriggerTokens = grammarTriggerTokens == null ? List.of() : List.copyOf(grammarTriggerTokens);
        grammarPrefill = grammarPrefill == null ? "" : grammarPrefill;
        boolean lazy = !grammarTriggerPatterns.isEmpty() || !grammarTriggerTokens.isEmpty();
        if ((lazy || !grammarPrefill.isEmpty()) && grammar.isEmpty()) {
            throw new IllegalArgumentException("grammar triggers and prefill need a grammar");
        }
        if (lazy && !grammarPrefill.isEmpty()) {
            throw new IllegalArgumentException("a lazy grammar starts at its trigger and takes no prefill");
        }
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

    /** The fields before lazy grammars: an eager grammar or none. */
    public SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty,
                          float frequencyPenalty, float presencePenalty, int penaltyLastN, int seed,
                          Optional<String> grammar) {
        this(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar,
                List.of(), List.of(), "");
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
        return new SamplingParams(t, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar,
                grammarTriggerPatterns, grammarTriggerTokens, grammarPrefill);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar,
                grammarTriggerPatterns, grammarTriggerTokens, grammarPrefill);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar,
                grammarTriggerPatterns, grammarTriggerTokens, grammarPrefill);
    }

    public SamplingParams withMinP(float p) {
        return new SamplingParams(temperature, topK, topP, p, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, seed, grammar,
                grammarTriggerPatterns, grammarTriggerTokens, grammarPrefill);
    }

    public SamplingParams withPenalties(float repeat, float frequency, float presence, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, repeat, frequency, presence, lastN, seed, grammar,
                grammarTriggerPatterns, grammarTriggerTokens, grammarPrefill);
    }

    public SamplingParams withSeed(int s) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN, s, grammar,
                grammarTriggerPatterns, grammarTriggerTokens, grammarPrefill);
    }

    /** An eager grammar (null = none); clears any triggers and prefill of the previous grammar. */
    public SamplingParams withGrammar(String gbnf) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN,
                seed, Optional.ofNullable(gbnf), List.of(), List.of(), "");
    }

    /**
     * A lazy grammar: idle until one of the regexes matches the generated text or one of the tokens is
     * sampled. With no patterns and no tokens it is eager.
     */
    public SamplingParams withLazyGrammar(String gbnf, List<String> triggerPatterns, List<Integer> triggerTokens) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN,
                seed, Optional.of(gbnf), triggerPatterns, triggerTokens, "");
    }

    /** Text at the end of the prompt that the (eager) grammar consumes before the first sampled token. */
    public SamplingParams withGrammarPrefill(String text) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, penaltyLastN,
                seed, grammar, grammarTriggerPatterns, grammarTriggerTokens, text);
    }

    /** True when the grammar waits for a trigger. */
    public boolean grammarIsLazy() {
        return !grammarTriggerPatterns.isEmpty() || !grammarTriggerTokens.isEmpty();
    }
}
