package dev.strata.memory.gguf;

import java.util.Optional;

/**
 * A ggml tensor element type, with the block layout that decides how many bytes a tensor takes.
 *
 * <p>Quantized types store elements in fixed-size blocks: {@link #blockSize()} elements packed into
 * {@link #typeSize()} bytes. Ids, block sizes and type sizes are those of ggml's {@code enum ggml_type}
 * and {@code type_traits} table (ggml/include/ggml.h, ggml/src/ggml.c); ids that ggml removed
 * (4, 5, 31&ndash;33, 36&ndash;38) have no constant, because ggml rejects them in GGUF files too.
 *
 * <pre>{@code
 * GgmlType q8 = GgmlType.fromId(8);        // Q8_0: 32 elements in 34 bytes
 * long bytes = q8.byteSize(384L * 1536);   // 626_688
 * }</pre>
 */
public enum GgmlType {
    F32(0, "f32", 1, 4),
    F16(1, "f16", 1, 2),
    Q4_0(2, "q4_0", 32, 18),
    Q4_1(3, "q4_1", 32, 20),
    Q5_0(6, "q5_0", 32, 22),
    Q5_1(7, "q5_1", 32, 24),
    Q8_0(8, "q8_0", 32, 34),
    Q8_1(9, "q8_1", 32, 36),
    Q2_K(10, "q2_K", 256, 84),
    Q3_K(11, "q3_K", 256, 110),
    Q4_K(12, "q4_K", 256, 144),
    Q5_K(13, "q5_K", 256, 176),
    Q6_K(14, "q6_K", 256, 210),
    Q8_K(15, "q8_K", 256, 292),
    IQ2_XXS(16, "iq2_xxs", 256, 66),
    IQ2_XS(17, "iq2_xs", 256, 74),
    IQ3_XXS(18, "iq3_xxs", 256, 98),
    IQ1_S(19, "iq1_s", 256, 50),
    IQ4_NL(20, "iq4_nl", 32, 18),
    IQ3_S(21, "iq3_s", 256, 110),
    IQ2_S(22, "iq2_s", 256, 82),
    IQ4_XS(23, "iq4_xs", 256, 136),
    I8(24, "i8", 1, 1),
    I16(25, "i16", 1, 2),
    I32(26, "i32", 1, 4),
    I64(27, "i64", 1, 8),
    F64(28, "f64", 1, 8),
    IQ1_M(29, "iq1_m", 256, 56),
    BF16(30, "bf16", 1, 2),
    TQ1_0(34, "tq1_0", 256, 54),
    TQ2_0(35, "tq2_0", 256, 66),
    MXFP4(39, "mxfp4", 32, 17),
    NVFP4(40, "nvfp4", 64, 36),
    Q1_0(41, "q1_0", 128, 18),
    Q2_0(42, "q2_0", 64, 18);

    // Indexed by id; ids are small and dense, so a lookup table beats a map on the hot path.
    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final String ggmlName;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, String ggmlName, int blockSize, int typeSize) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The numeric id stored in GGUF tensor infos ({@code enum ggml_type}). */
    public int id() {
        return id;
    }

    /** The name ggml prints for this type, such as {@code "q4_K"}. */
    public String ggmlName() {
        return ggmlName;
    }

    /** Number of elements per block; 1 for plain types such as F32. */
    public int blockSize() {
        return blockSize;
    }

    /** Number of bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Whether this type packs elements into multi-element blocks. */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes taken by {@code elements} elements of this type.
     *
     * @throws IllegalArgumentException if {@code elements} is negative or not a whole number of blocks
     * @throws ArithmeticException      if the size does not fit in a {@code long}
     */
    public long byteSize(long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("negative element count " + elements);
        }
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    elements + " elements is not a multiple of the " + this + " block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /**
     * The type with the given ggml id.
     *
     * @throws IllegalArgumentException if ggml defines no such type (unknown or removed)
     */
    public static GgmlType fromId(int id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("unknown ggml type id " + id));
    }

    /** The type with the given ggml id, or empty if ggml defines no such type. */
    public static Optional<GgmlType> find(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[(int) id]) : Optional.empty();
    }
}
