package dev.strata.runtime;

/**
 * What a finished generation did.
 *
 * @param text             everything generated
 * @param finishReason     why it ended
 * @param promptTokens     tokens in the prompt
 * @param generatedTokens  tokens generated
 * @param promptMillis     time to process the prompt (time to first token)
 * @param generationMillis time from the first to the last generated token
 */
public record GenerationResult(String text, FinishReason finishReason, int promptTokens, int generatedTokens,
                               double promptMillis, double generationMillis) {

    /** Generated tokens per second after the first; 0 when fewer than two were generated. */
    public double tokensPerSecond() {
        return generatedTokens > 1 && generationMillis > 0 ? (generatedTokens - 1) * 1000.0 / generationMillis : 0.0;
    }

    /** Prompt tokens per second. */
    public double promptTokensPerSecond() {
        return promptMillis > 0 ? promptTokens * 1000.0 / promptMillis : 0.0;
    }
}
