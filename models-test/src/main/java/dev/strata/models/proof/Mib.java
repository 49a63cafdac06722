package dev.strata.models.proof;

import java.util.Locale;

/** Bytes as the proof's tables show them: whole MiB with thousands separators, "24,282 MiB". */
final class Mib {
    private Mib() {}

    static String of(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /** Signed difference, "+20 MiB" or "-73 MiB" (rounded toward zero). */
    static String signed(long bytes) {
        long mib = bytes / (1L << 20);
        return String.format(Locale.ROOT, "%+,d MiB", mib);
    }
}
