package dev.strata.models.synth;

/**
 * The range of the random values {@link DataMode#RANDOM} writes into one tensor: uniform in
 * {@code [center - spread, center + spread]} for float types. Quantized blocks are always centered
 * on zero, with block scales chosen so that no dequantized value exceeds about {@code spread}.
 *
 * <pre>{@code
 * writer.addTensor("blk.0.attn_norm.weight", GgmlType.F32, RandomFill.NORM, 256);
 * writer.addTensor("blk.0.attn_q.weight", GgmlType.Q4_0, RandomFill.WEIGHTS, 256, 256);
 * }</pre>
 *
 * @param center middle of the range (float types only)
 * @param spread half-width of the range; positive and finite
 */
public record RandomFill(float center, float spread) {
    /** Matrix weights: small values around zero, so activations stay in range layer after layer. */
    public static final RandomFill WEIGHTS = new RandomFill(0f, 0.05f);

    /**
     * RMS-norm weights: near one, as in trained models; values near zero would shrink every
     * activation towards zero.
     */
    public static final RandomFill NORM = new RandomFill(1f, 0.05f);

    /** @throws IllegalArgumentException if a bound is not finite or the spread is not positive */
    public RandomFill {
        if (!Float.isFinite(center) || !Float.isFinite(spread) || !(spread > 0)) {
            throw new IllegalArgumentException("need a finite center and a finite positive spread: " + center + ", " + spread);
        }
    }
}
