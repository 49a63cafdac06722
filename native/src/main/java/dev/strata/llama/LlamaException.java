package dev.strata.llama;

/**
 * Base of every failure that comes out of llama.cpp or Strata's bridge. Native failures never
 * abort the JVM; they arrive as this exception or one of its subclasses, with llama.cpp's own
 * message where it gave one.
 */
public class LlamaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LlamaException(String message) {
        super(message);
    }

    public LlamaException(String message, Throwable cause) {
        super(message, cause);
    }
}
