package dev.strata.llama;

/**
 * The GGUF declares a model architecture that this llama.cpp release does not implement.
 */
public class UnknownArchitectureException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    public UnknownArchitectureException(String message) {
        super(message);
    }

    public UnknownArchitectureException(String message, Throwable cause) {
        super(message, cause);
    }
}
