package dev.strata.models.synth;

/** IEEE 754 half precision conversions (Java 17 has no {@code Float.floatToFloat16}). */
final class Fp16 {
    private Fp16() {}

    /** The nearest half to {@code f}, ties to even; too large becomes infinity, too small zero. */
    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int floatExp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7F_FFFF;
        if (floatExp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
        }
        int exp = floatExp - 127 + 15;
        if (exp >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            // Subnormal half: shift the full significand (hidden bit included) into 10 bits.
            int significand = mant | 0x80_0000;
            int shift = 14 - exp;
            return (short) (sign | roundShift(significand, shift));
        }
        // A carry out of the mantissa correctly bumps the exponent, up to infinity.
        return (short) (sign | ((exp << 10) + roundShift(mant, 13)));
    }

    /** The float value of half {@code h}, exactly. */
    static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        return rest > half || (rest == half && (kept & 1) != 0) ? kept + 1 : kept;
    }
}
