package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the fp16 scales sit in one quantized ggml block, and how large the integer factor that
 * multiplies them can get. Everything else in these blocks (quants, 4/6/8-bit sub-scales, high
 * bits) decodes to a finite number whatever its bits, so random bytes there are safe; a random
 * fp16 scale is not (one in 32 is infinity or NaN).
 *
 * <p>Offsets follow the block structs in ggml/src/ggml-common.h: most blocks start with {@code d}
 * (and {@code m} or {@code dmin}), while q2_K, q3_K, q6_K and the ternary types keep it last.
 * Left out: types whose scales are not plain fp16 fields (mxfp4's E8M0 byte, nvfp4's UE4M3 bytes,
 * iq1_m's scale spread over four sub-scales) and the iq1/iq2/iq3 types, whose quants index lookup
 * grids and sign tables; and q8_1/q8_K, which ggml uses for activations, not weights. All of
 * them can still be written {@link DataMode#SPARSE}.
 *
 * @param halfOffsets    byte offsets of the fp16 fields within a block
 * @param maxQuantFactor largest magnitude of the integer that multiplies a scale when the block is dequantized
 */
record BlockScales(int[] halfOffsets, float maxQuantFactor) {

    private static final Map<GgmlType, BlockScales> TABLE = new EnumMap<>(GgmlType.class);

    static {
        // d ; qs[16]: x = d * (q - 8)
        TABLE.put(GgmlType.Q4_0, new BlockScales(new int[] {0}, 8));
        // d, m ; qs[16]: x = d * q + m
        TABLE.put(GgmlType.Q4_1, new BlockScales(new int[] {0, 2}, 15));
        // d ; qh[4] ; qs[16]: x = d * (q - 16)
        TABLE.put(GgmlType.Q5_0, new BlockScales(new int[] {0}, 16));
        // d, m ; qh[4] ; qs[16]: x = d * q + m
        TABLE.put(GgmlType.Q5_1, new BlockScales(new int[] {0, 2}, 31));
        // d ; int8 qs[32]
        TABLE.put(GgmlType.Q8_0, new BlockScales(new int[] {0}, 128));
        // scales[16] ; qs[64] ; d, dmin: x = d * (sc & 15) * q - dmin * (sc >> 4), q in 0..3
        TABLE.put(GgmlType.Q2_K, new BlockScales(new int[] {80, 82}, 15 * 3));
        // hmask[32] ; qs[64] ; scales[12] ; d: x = d * (sc - 32) * q, q in -4..3
        TABLE.put(GgmlType.Q3_K, new BlockScales(new int[] {108}, 32 * 4));
        // d, dmin ; scales[12] ; qs[128]: x = d * sc * q - dmin * m, 6-bit sc and m
        TABLE.put(GgmlType.Q4_K, new BlockScales(new int[] {0, 2}, 63 * 15));
        // d, dmin ; scales[12] ; qh[32] ; qs[128]
        TABLE.put(GgmlType.Q5_K, new BlockScales(new int[] {0, 2}, 63 * 31));
        // ql[128] ; qh[64] ; int8 scales[16] ; d: x = d * sc * (q - 32)
        TABLE.put(GgmlType.Q6_K, new BlockScales(new int[] {208}, 128 * 32));
        // d ; qs[16]: x = d * kvalues_iq4nl[q], |kvalue| <= 127
        TABLE.put(GgmlType.IQ4_NL, new BlockScales(new int[] {0}, 127));
        // d ; scales_h ; scales_l[4] ; qs[128]: x = d * (ls - 32) * kvalue
        TABLE.put(GgmlType.IQ4_XS, new BlockScales(new int[] {0}, 32 * 127));
        // qs[48] ; qh[4] ; d: ternary -1..1
        TABLE.put(GgmlType.TQ1_0, new BlockScales(new int[] {52}, 1));
        // qs[64] ; d: q - 1 in -1..2
        TABLE.put(GgmlType.TQ2_0, new BlockScales(new int[] {64}, 2));
    }

    /** The scales of a quantized type that random blocks can be written for, or empty. */
    static Optional<BlockScales> of(GgmlType type) {
        return Optional.ofNullable(TABLE.get(type));
    }

    /** Types with a known scale layout, for error messages. */
    static String supported() {
        return TABLE.keySet().toString();
    }
}
