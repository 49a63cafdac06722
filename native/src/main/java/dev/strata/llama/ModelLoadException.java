package dev.strata.llama;

/**
 * A model file could not be loaded; the message carries llama.cpp's reason.
 */
public class ModelLoadException extends LlamaException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
