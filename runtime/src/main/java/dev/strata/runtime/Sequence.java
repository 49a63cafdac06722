package dev.strata.runtime;

import dev.strata.llama.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
    /** Alternatives to report per token; {@link GenerationRequest#LOGPROBS_OFF} for no logprobs at all. */
    final int topLogprobs;
    /** Each emitted token's logprobs, for the result; null without logprobs. */
    final List<TokenLogprobs> logprobs;
    /** Special tokens whose text is shown when generated (the chat parser needs them). */
    final Set<Integer> shownSpecial;

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
    /** While preempted: its KV cells as saved, to restore bit for bit; null when it must be recomputed. */
    byte[] swapped;
    /** How many of {@link #tokens} the saved cells hold. */
    int swappedCells;
    /** This step: tokens of this sequence in the batch, and the batch index of its output (-1: none). */
    int inBatch;
    int outputIndex = -1;

    Sequence(Generation generation, int[] prompt, Sampler sampler, GenerationRequest request, Set<Integer> shownSpecial) {
        this.shownSpecial = shownSpecial;
        this.generation = generation;
        this.sampler = sampler;
        this.promptLength = prompt.length;
        this.maxTokens = request.maxTokens();
        this.ignoreEos = request.ignoreEos();
        this.stops = new StopMatcher(request.stop());
        this.tokens = TokenList.of(prompt);
        this.topLogprobs = request.topLogprobs();
        this.logprobs = request.logprobs() ? new ArrayList<>() : null;
    }

    /**
     * Whether this request's next token is the plain greedy one (first highest logit, no logprobs): what a
     * batched greedy call or the graph's argmax gives, without reading the logits row.
     */
    boolean plainGreedy() {
        return logprobs == null && sampler.isGreedy();
    }

    /** Tokens not yet in the KV cache (at least one while running: the next to decode). */
    int pending() {
        return tokens.size() - slot.cached.size();
    }
}
