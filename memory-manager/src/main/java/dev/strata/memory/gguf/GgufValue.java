package dev.strata.memory.gguf;

import java.util.Objects;

/**
 * One GGUF metadata value. Scalars are records; arrays are {@link GgufArray}.
 *
 * <pre>{@code
 * if (file.get("general.alignment") instanceof GgufValue.IntValue i) {
 *     long alignment = i.asLong();
 * }
 * }</pre>
 * Most callers need no pattern matching: {@link GgufFile#getLong(String)} and its siblings convert.
 */
public sealed interface GgufValue
        permits GgufValue.IntValue, GgufValue.FloatValue, GgufValue.BoolValue, GgufValue.StringValue, GgufArray {

    /** The value's type tag as stored in the file. */
    GgufValueType type();

    /**
     * A value of any of the eight integer types. Unsigned types up to 32 bits are zero-extended into
     * {@code value}; a UINT64 keeps its raw 64 bits, so values of 2^63 and above read as negative
     * through {@link #value()} and are rejected by {@link #asLong()}.
     *
     * <pre>{@code
     * new GgufValue.IntValue(GgufValueType.UINT32, 32).asLong();   // 32
     * }</pre>
     */
    record IntValue(GgufValueType type, long value) implements GgufValue {
        public IntValue {
            Objects.requireNonNull(type, "type");
            if (!type.isInteger()) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
            if (!fits(type, value)) {
                throw new IllegalArgumentException(value + " is out of range for " + type);
            }
        }

        /**
         * The value as a signed long.
         *
         * @throws ArithmeticException for a UINT64 of 2^63 or more
         */
        public long asLong() {
            if (type == GgufValueType.UINT64 && value < 0) {
                throw new ArithmeticException("UINT64 " + Long.toUnsignedString(value) + " does not fit in a long");
            }
            return value;
        }

        @Override
        public String toString() {
            return type == GgufValueType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
        }

        private static boolean fits(GgufValueType type, long v) {
            return switch (type) {
                case UINT8 -> v >= 0 && v <= 0xFF;
                case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
                case UINT16 -> v >= 0 && v <= 0xFFFF;
                case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
                case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
                case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                default -> true; // UINT64 and INT64 use every bit pattern
            };
        }
    }

    /**
     * A FLOAT32 or FLOAT64 value; FLOAT32 values are widened exactly.
     *
     * <pre>{@code
     * new GgufValue.FloatValue(GgufValueType.FLOAT32, 1e-5f).value();
     * }</pre>
     */
    record FloatValue(GgufValueType type, double value) implements GgufValue {
        public FloatValue {
            Objects.requireNonNull(type, "type");
            if (!type.isFloatingPoint()) {
                throw new IllegalArgumentException(type + " is not a floating-point type");
            }
        }

        @Override
        public String toString() {
            return type == GgufValueType.FLOAT32 ? Float.toString((float) value) : Double.toString(value);
        }
    }

    /**
     * A BOOL value.
     *
     * <pre>{@code
     * new GgufValue.BoolValue(true).value();   // true
     * }</pre>
     */
    record BoolValue(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /**
     * A STRING value, decoded from UTF-8.
     *
     * <pre>{@code
     * new GgufValue.StringValue("llama").value();   // "llama"
     * }</pre>
     */
    record StringValue(String value) implements GgufValue {
        public StringValue {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }
}
