package dev.strata.memory.gguf;

import java.util.Optional;

/**
 * The type tag of a GGUF metadata value ({@code enum gguf_metadata_value_type} in the GGUF spec).
 *
 * <pre>{@code
 * GgufValueType t = file.get("llama.block_count").type();   // UINT32
 * boolean integral = t.isInteger();                          // true
 * }</pre>
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** A {@code gguf_string_t}: uint64 length, then that many UTF-8 bytes. */
    STRING(8, 8),
    /** A {@code gguf_array_t}: uint32 element type, uint64 count, then the elements. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minEncodedSize;

    GgufValueType(int id, int minEncodedSize) {
        this.id = id;
        this.minEncodedSize = minEncodedSize;
    }

    /** The numeric tag stored in the file. */
    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type takes in a file: its exact size for fixed-size types,
     * the length prefix for strings, and the element-type and count fields for arrays.
     */
    public int minEncodedSize() {
        return minEncodedSize;
    }

    /** Whether values of this type have a fixed encoded size (numbers and booleans). */
    public boolean isFixedSize() {
        return this != STRING && this != ARRAY;
    }

    /** Whether this is one of the eight integer types. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Whether this is an unsigned integer type. */
    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Whether this is FLOAT32 or FLOAT64. */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with the given tag, or empty if the spec defines none. */
    public static Optional<GgufValueType> find(long id) {
        // The enum is declared in id order, so the tag is the ordinal.
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
    }
}
