package dev.strata.http.openai;

import dev.strata.runtime.GenerationResult;

/**
 * Token counts of one answer, in OpenAI's shape; {@code cached_tokens} are prompt tokens whose KV cache
 * was reused from an earlier request.
 */
public record Usage(int promptTokens, int completionTokens, int totalTokens, Details promptTokensDetails) {
    public record Details(int cachedTokens) {}

    public static Usage of(GenerationResult r) {
        return new Usage(r.promptTokens(), r.generatedTokens(), r.promptTokens() + r.generatedTokens(),
                new Details(r.cachedTokens()));
    }

    /** Embeddings: prompt tokens only. */
    public static Usage ofPrompt(int promptTokens) {
        return new Usage(promptTokens, 0, promptTokens, null);
    }
}
