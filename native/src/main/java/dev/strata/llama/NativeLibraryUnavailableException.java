package dev.strata.llama;

/**
 * No variant of {@code libstrata} could be loaded. Every failed attempt is attached as a
 * suppressed exception, and the message names the property that picks another file or variant.
 */
public class NativeLibraryUnavailableException extends LlamaException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryUnavailableException(String message) {
        super(message);
    }
}
