package dev.strata.runtime;

import java.util.List;
import java.util.Optional;

/**
 * What a finished generation did.
 *
 * @param text                  everything generated (up to, not including, a stop string that ended it)
 * @param finishReason          why it ended
 * @param promptTokens          tokens in the prompt
 * @param cachedTokens          prompt tokens whose KV cache was reused from an earlier request (not recomputed)
 * @param generatedTokens       tokens generated
 * @param promptMillis          time from the first prompt chunk to the first generated token
 * @param generationMillis      time from the first to the last generated token
 * @param timeToFirstTokenMillis time from submission (queueing included) to the first generated token
 * @param error                 what failed, when {@code finishReason} is {@link FinishReason#ERROR}; else null
 * @param logprobs              per generated token (in order, the ones streamed), its log-probabilities, when the
 *                              request asked for them ({@link GenerationRequest#withLogprobs(int)}); else empty
 */
public record GenerationResult(String text, FinishReason finishReason, int promptTokens, int cachedTokens,
                               int generatedTokens, double promptMillis, double generationMillis,
                               double timeToFirstTokenMillis, String error, List<TokenLogprobs> logprobs) {
    public GenerationResult {
        logprobs = List.copyOf(logprobs);
    }

    /** Without log-probabilities. */
    public GenerationResult(String text, FinishReason finishReason, int promptTokens, int cachedTokens, int generatedTokens,
                            double promptMillis, double generationMillis, double timeToFirstTokenMillis, String error) {
        this(text, finishReason, promptTokens, cachedTokens, generatedTokens, promptMillis, generationMillis,
                timeToFirstTokenMillis, error, List.of());
    }

    /** Generated tokens per second after the first; 0 when fewer than two were generated. */
    public double tokensPerSecond() {
        return generatedTokens > 1 && generationMillis > 0 ? (generatedTokens - 1) * 1000.0 / generationMillis : 0.0;
    }

    /** Prompt tokens computed (cached ones excluded) per second. */
    public double promptTokensPerSecond() {
        return promptMillis > 0 ? (promptTokens - cachedTokens) * 1000.0 / promptMillis : 0.0;
    }

    /** What failed, for {@link FinishReason#ERROR}. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(error);
    }
}
