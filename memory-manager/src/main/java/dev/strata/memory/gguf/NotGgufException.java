package dev.strata.memory.gguf;

/**
 * The file does not start with the GGUF magic {@code "GGUF"}, so it is some other kind of file.
 *
 * <pre>{@code
 * try {
 *     GgufFile.read(path);
 * } catch (NotGgufException e) {
 *     // try another loader
 * }
 * }</pre>
 */
public class NotGgufException extends GgufFormatException {
    private static final long serialVersionUID = 1L;

    /** @param detail what was found instead of the magic */
    public NotGgufException(String detail) {
        super("magic", 0, detail);
    }
}
