package dev.strata.runtime;

import dev.strata.llama.Sampler;

/**
 * One request inside the decode loop: the tokens it has (prompt, then what it generated) and where
 * they stand in its KV slot. Only the decode loop's thread touches it after submission.
 */
final class Sequence {
    final Generation generation;
    final Sampler sampler;
    final int promptLength;
    final int maxTokens;
    final boolean ignoreEos;
    final StopMatcher stops;
    final Utf8Assembler utf8 = new Utf8Assembler();
    final StringBuilder text = new StringBuilder();
    final long submittedNanos = System.nanoTime();

    /** Prompt, then every generated token; the last one is the next to decode once the prompt is in. */
    final TokenList tokens;
    /** The KV slot while running; null while waiting. */
    Slot slot;
    int generated;
    /** Prompt tokens found in a slot's cache at first admission. */
    int cachedTokens = -1;
    long promptStartNanos;
    long firstTokenNanos;
    long lastTokenNanos;
    /** This step: tokens of this sequence in the batch, and the batch index of its output (-1: none). */
    int inBatch;
    int outputIndex = -1;

    Sequence(Generation generation, int[] prompt, Sampler sampler, GenerationRequest request) {
        this.generation = generation;
        this.sampler = sampler;
        this.promptLength = prompt.length;
        this.maxTokens = request.maxTokens();
        this.ignoreEos = request.ignoreEos();
        this.stops = new StopMatcher(request.stop());
        this.tokens = TokenList.of(prompt);
    }

    /** Tokens not yet in the KV cache (at least one while running: the next to decode). */
    int pending() {
        return tokens.size() - slot.cached.size();
    }
}
