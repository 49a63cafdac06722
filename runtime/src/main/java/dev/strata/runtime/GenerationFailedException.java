package dev.strata.runtime;

/**
 * A generation ended with {@link FinishReason#ERROR}: thrown to the reader of its {@link TokenStream}.
 * The model stays usable; other requests batched with this one may have failed too.
 */
public final class GenerationFailedException extends RuntimeException {
    private final transient GenerationResult result;

    public GenerationFailedException(GenerationResult result) {
        super(result.error());
        this.result = result;
    }

    /** The result, with what was generated before the failure. */
    public GenerationResult result() {
        return result;
    }
}
