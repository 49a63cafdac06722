package dev.strata.runtime;

/** The prompt does not fit the context; nothing was generated and nothing is truncated silently. */
public class PromptTooLongException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int promptTokens;
    private final int contextSize;

    public PromptTooLongException(int promptTokens, int contextSize) {
        super("prompt of " + promptTokens + " tokens does not fit the context of " + contextSize
                + " tokens; shorten the prompt or load the model with a larger context");
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextSize() {
        return contextSize;
    }
}
