package dev.strata.memory.gguf;

/**
 * The file is GGUF, but of a version this reader does not read (only 2 and 3 are supported).
 *
 * <pre>{@code
 * catch (UnsupportedGgufVersionException e) {
 *     System.err.println("please re-convert: GGUF v" + e.version());
 * }
 * }</pre>
 */
public class UnsupportedGgufVersionException extends GgufFormatException {
    private static final long serialVersionUID = 1L;

    private final long version;

    /**
     * @param version the uint32 version as read, little-endian
     * @param detail  why it is unsupported
     */
    public UnsupportedGgufVersionException(long version, String detail) {
        super("version", 4, detail);
        this.version = version;
    }

    /** The version number as read (unsigned 32-bit, little-endian). */
    public long version() {
        return version;
    }
}
