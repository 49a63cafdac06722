package dev.strata.llama;

/**
 * The file is not a GGUF file (wrong magic), or its header is truncated or corrupt.
 */
public class NotGgufException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    public NotGgufException(String message) {
        super(message);
    }

    public NotGgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
