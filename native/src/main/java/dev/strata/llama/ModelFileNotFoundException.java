package dev.strata.llama;

/**
 * The model path does not exist or is not a readable regular file.
 */
public class ModelFileNotFoundException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    public ModelFileNotFoundException(String message) {
        super(message);
    }

    public ModelFileNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
