package dev.strata.llama;

/**
 * The file starts like a GGUF but its header or tensor layout is damaged or truncated; llama.cpp's
 * reason is in the message.
 */
public class CorruptModelFileException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    public CorruptModelFileException(String message) {
        super(message);
    }
}
