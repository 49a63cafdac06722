package dev.strata.models.proof;

/**
 * The accuracy criterion of the GPU proof: a prediction of a device's peak use passes when it is
 * within 1% of the measured peak or within 64 MiB, whichever allows more.
 *
 * <pre>{@code
 * Tolerance.allowedBytes(24_282L << 20);              // 242 MiB: 1% of a 24 GiB peak
 * Tolerance.within(9_391L << 20, 9_366L << 20);       // true: 25 MiB off, 64 MiB allowed
 * }</pre>
 */
public final class Tolerance {
    /** The floor: small peaks may be off by this much. */
    public static final long FLOOR_BYTES = 64L << 20;

    private Tolerance() {}

    /** How far a prediction may be from {@code measuredBytes}: max(64 MiB, 1% of it). */
    public static long allowedBytes(long measuredBytes) {
        return Math.max(FLOOR_BYTES, Math.abs(measuredBytes) / 100);
    }

    /** Whether {@code predictedBytes} is within {@link #allowedBytes} of {@code measuredBytes}, on either side. */
    public static boolean within(long predictedBytes, long measuredBytes) {
        return Math.abs(predictedBytes - measuredBytes) <= allowedBytes(measuredBytes);
    }
}
