package dev.strata.memory.gguf;

import java.io.IOException;

/**
 * A file is not a well-formed GGUF file. The message names the field and the byte offset where
 * reading went wrong, e.g. {@code tensor_infos[3].n_dims at offset 1234: 7 exceeds 4}.
 *
 * <pre>{@code
 * try {
 *     GgufFile.read(path);
 * } catch (GgufFormatException e) {
 *     log.warn("bad model {} at byte {} ({})", path, e.offset(), e.field());
 * }
 * }</pre>
 */
public class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final long offset;
    private final String detail;

    /**
     * @param field  the spec field being read, such as {@code metadata[general.alignment]}
     * @param offset byte offset in the file where that field starts
     * @param detail what is wrong with it
     */
    public GgufFormatException(String field, long offset, String detail) {
        super(field + " at offset " + offset + ": " + detail);
        this.field = field;
        this.offset = offset;
        this.detail = detail;
    }

    /** Keys and names come from the file: keeps them to one short printable line in messages. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return sb.length() < s.length() ? sb + "..." : sb.toString();
    }

    /** The field being read, such as {@code tensor_infos[3].n_dims}. */
    public String field() {
        return field;
    }

    /** Byte offset in the file where the field starts. */
    public long offset() {
        return offset;
    }

    /** The problem, without field and offset. */
    public String detail() {
        return detail;
    }
}
