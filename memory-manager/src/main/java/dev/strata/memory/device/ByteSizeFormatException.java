package dev.strata.memory.device;

/**
 * Text is not a byte size that {@link ByteSize#parse} accepts. The message quotes the text and
 * says what is wrong, e.g. {@code "24GB": "GB" is ambiguous (1000 or 1024?); write GiB (powers of
 * 1024) or G}.
 *
 * <pre>{@code
 * try {
 *     reserve = ByteSize.parse(option);
 * } catch (ByteSizeFormatException e) {
 *     throw new ParameterException("--reserve: " + e.getMessage());
 * }
 * }</pre>
 */
public class ByteSizeFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final String reason;

    /**
     * @param text   the text that was read
     * @param reason what is wrong with it
     */
    public ByteSizeFormatException(String text, String reason) {
        super("\"" + text + "\": " + reason);
        this.text = text;
        this.reason = reason;
    }

    /** The text that was read. */
    public String text() {
        return text;
    }

    /** What is wrong with it, without the text. */
    public String reason() {
        return reason;
    }
}
