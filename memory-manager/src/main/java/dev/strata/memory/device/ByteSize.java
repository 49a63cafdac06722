package dev.strata.memory.device;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-negative number of bytes, read from and written as text with binary units.
 *
 * <p>Units, in any case, with or without a space before them: none or {@code B} (bytes), {@code KiB},
 * {@code MiB}, {@code GiB}, {@code TiB}, and the one-letter forms {@code K}, {@code M}, {@code G},
 * {@code T}, which mean the same binary units, as in Java's {@code -Xmx1G}, Docker's {@code
 * --memory=1g} and llama.cpp. {@code KB}, {@code MB}, {@code GB} and {@code TB} are refused: they
 * are read as powers of 1000 by some tools and 1024 by others, and a 7% error in a memory budget is
 * the difference between fitting and not. A decimal fraction is allowed with a unit ({@code 23.5GiB})
 * and is rounded down to a whole byte; a fraction of a byte is refused.
 *
 * <pre>{@code
 * ByteSize.parse("24GiB").bytes();     // 25_769_803_776
 * ByteSize.parse("23.5 GiB").bytes();  // 25_232_932_864
 * ByteSize.parse("1G").bytes();        // 1_073_741_824, the same as 1GiB
 * ByteSize.parse("512MiB").toString(); // "512 MiB"
 * ByteSize.format(10_093_173_760L);    // "9.4 GiB"
 * ByteSize.parse("24GB");              // ByteSizeFormatException: "GB" is ambiguous …
 * }</pre>
 *
 * @param bytes the size in bytes, {@code >= 0}
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {

    /** 2^10 bytes. */
    public static final long KIB = 1L << 10;
    /** 2^20 bytes. */
    public static final long MIB = 1L << 20;
    /** 2^30 bytes. */
    public static final long GIB = 1L << 30;
    /** 2^40 bytes. */
    public static final long TIB = 1L << 40;

    private static final Pattern SYNTAX = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?\\s*([A-Za-z]*)");
    private static final String[] UNIT_NAMES = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a byte size must be >= 0, got " + bytes);
        }
    }

    /** {@code n} bytes. */
    public static ByteSize ofBytes(long n) {
        return new ByteSize(n);
    }

    /** {@code n} MiB; throws {@link ArithmeticException} past {@code Long.MAX_VALUE} bytes. */
    public static ByteSize ofMiB(long n) {
        return new ByteSize(Math.multiplyExact(n, MIB));
    }

    /** {@code n} GiB; throws {@link ArithmeticException} past {@code Long.MAX_VALUE} bytes. */
    public static ByteSize ofGiB(long n) {
        return new ByteSize(Math.multiplyExact(n, GIB));
    }

    /**
     * Reads a size such as {@code 24GiB}, {@code 23.5 GiB}, {@code 512MiB}, {@code 1G} or {@code
     * 1073741824}; the rules are in the class comment. Leading and trailing spaces are ignored.
     *
     * @throws ByteSizeFormatException naming the text and what is wrong with it
     */
    public static ByteSize parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = SYNTAX.matcher(text.strip());
        if (!m.matches()) {
            throw new ByteSizeFormatException(text, "expected a number and a unit, such as 24GiB, 512MiB or 1G");
        }
        String whole = m.group(1);
        String fraction = m.group(2);
        String unit = m.group(3);
        long multiplier = multiplier(text, unit);
        if (fraction != null && multiplier == 1) {
            throw new ByteSizeFormatException(text, "a fraction of a byte; give a unit (23.5GiB) or whole bytes");
        }
        BigDecimal value = new BigDecimal(fraction == null ? whole : whole + "." + fraction)
                .multiply(BigDecimal.valueOf(multiplier))
                .setScale(0, RoundingMode.FLOOR);
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new ByteSizeFormatException(text, "more than " + Long.MAX_VALUE + " bytes");
        }
        return new ByteSize(value.longValueExact());
    }

    private static long multiplier(String text, String unit) {
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "":
            case "b":
                return 1;
            case "k":
            case "kib":
                return KIB;
            case "m":
            case "mib":
                return MIB;
            case "g":
            case "gib":
                return GIB;
            case "t":
            case "tib":
                return TIB;
            case "kb":
            case "mb":
            case "gb":
            case "tb":
                String binary = unit.substring(0, 1).toUpperCase(Locale.ROOT) + "iB";
                throw new ByteSizeFormatException(text, "\"" + unit + "\" is ambiguous (1000 or 1024?); write "
                        + binary + " (powers of 1024) or " + unit.substring(0, 1).toUpperCase(Locale.ROOT));
            default:
                throw new ByteSizeFormatException(text, "unknown unit \"" + unit
                        + "\"; use B, KiB, MiB, GiB, TiB or K, M, G, T (all powers of 1024)");
        }
    }

    /**
     * Writes a number of bytes for people: bytes below 1 KiB, otherwise the largest binary unit that
     * keeps the number at least 1. A whole number of that unit prints exactly ({@code 24 GiB}, {@code
     * 512 MiB}); anything else prints rounded to one decimal ({@code 9.4 GiB}, and {@code 1.0 GiB} for
     * one byte short of 1 GiB), so a trailing {@code .0} means "about". Negative numbers, such as a
     * difference between an estimate and a measurement, print with a minus sign.
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return bytes == Long.MIN_VALUE ? "-8 EiB" : "-" + format(-bytes);
        }
        if (bytes < KIB) {
            return bytes + " B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10; // 1 = KiB, 2 = MiB, ...
        long scale = 1L << (10 * unit);
        if (bytes % scale == 0) {
            return bytes / scale + " " + UNIT_NAMES[unit];
        }
        BigDecimal tenths = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(scale)).setScale(1, RoundingMode.HALF_UP);
        if (tenths.compareTo(BigDecimal.valueOf(1024)) >= 0) { // 1023.96 MiB rounds up into the next unit
            return "1.0 " + UNIT_NAMES[unit + 1];
        }
        return tenths.toPlainString() + " " + UNIT_NAMES[unit];
    }

    /** What {@link #format(long)} writes. */
    @Override
    public String toString() {
        return format(bytes);
    }

    @Override
    public int compareTo(ByteSize other) {
        return Long.compare(bytes, other.bytes);
    }
}
