package dev.strata.memory.gguf;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable GGUF metadata array. Elements are kept in one compact primitive array per element
 * type (a 150k-entry FLOAT32 score table is one {@code float[]}, not 150k objects); nested arrays
 * are arrays of {@code GgufArray}.
 *
 * <p>Not a record: a record over a Java array would compare by identity and leak the array.
 *
 * <pre>{@code
 * GgufArray tokens = file.getArray("tokenizer.ggml.tokens");
 * String first = tokens.getString(0);
 * float[] scores = file.getArray("tokenizer.ggml.scores").toFloatArray();
 * }</pre>
 */
public final class GgufArray implements GgufValue {
    private final GgufValueType elementType;
    // byte[] for UINT8/INT8/BOOL, short[] for 16-bit, int[] for 32-bit ints, long[] for 64-bit ints,
    // float[], double[], String[] or GgufArray[]; never handed out, so the array stays immutable.
    private final Object elements;
    private final int size;

    GgufArray(GgufValueType elementType, Object elements) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        this.elements = Objects.requireNonNull(elements, "elements");
        this.size = java.lang.reflect.Array.getLength(elements);
    }

    /** An INT32 array of these values (copied), as convert_hf_to_gguf writes per-layer counts. */
    public static GgufArray ofInts(int... values) {
        return new GgufArray(GgufValueType.INT32, values.clone());
    }

    @Override
    public GgufValueType type() {
        return GgufValueType.ARRAY;
    }

    /** The type of every element. */
    public GgufValueType elementType() {
        return elementType;
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /** Whether the array has no elements. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Element {@code index} as a value record (boxes; prefer the typed getters in loops). */
    public GgufValue get(int index) {
        Objects.checkIndex(index, size);
        return switch (elementType) {
            case FLOAT32, FLOAT64 -> new FloatValue(elementType, getDouble(index));
            case BOOL -> new BoolValue(getBoolean(index));
            case STRING -> new StringValue(getString(index));
            case ARRAY -> getArray(index);
            default -> new IntValue(elementType, rawLong(index));
        };
    }

    /**
     * Element {@code index} of an integer array as a signed long.
     *
     * @throws IllegalStateException if the elements are not integers
     * @throws ArithmeticException   for a UINT64 element of 2^63 or more
     */
    public long getLong(int index) {
        Objects.checkIndex(index, size);
        requireInteger();
        long v = rawLong(index);
        if (elementType == GgufValueType.UINT64 && v < 0) {
            throw new ArithmeticException("UINT64 " + Long.toUnsignedString(v) + " does not fit in a long");
        }
        return v;
    }

    /**
     * Element {@code index} of any numeric array as a double.
     *
     * @throws IllegalStateException if the elements are not numbers
     */
    public double getDouble(int index) {
        Objects.checkIndex(index, size);
        return switch (elementType) {
            case FLOAT32 -> ((float[]) elements)[index];
            case FLOAT64 -> ((double[]) elements)[index];
            case UINT64 -> unsignedToDouble(rawLong(index));
            default -> {
                requireInteger();
                yield rawLong(index);
            }
        };
    }

    /** Element {@code index} of a BOOL array. */
    public boolean getBoolean(int index) {
        Objects.checkIndex(index, size);
        requireElementType(GgufValueType.BOOL);
        return ((byte[]) elements)[index] != 0;
    }

    /** Element {@code index} of a STRING array. */
    public String getString(int index) {
        Objects.checkIndex(index, size);
        requireElementType(GgufValueType.STRING);
        return ((String[]) elements)[index];
    }

    /** Element {@code index} of an array of arrays. */
    public GgufArray getArray(int index) {
        Objects.checkIndex(index, size);
        requireElementType(GgufValueType.ARRAY);
        return ((GgufArray[]) elements)[index];
    }

    /** A fresh copy of an integer array's elements; see {@link #getLong(int)}. */
    public long[] toLongArray() {
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /**
     * A fresh copy of an integer array's elements as ints.
     *
     * @throws ArithmeticException if an element does not fit in an int
     */
    public int[] toIntArray() {
        if (elementType == GgufValueType.INT32 || elementType == GgufValueType.UINT32 && allNonNegative()) {
            return ((int[]) elements).clone();
        }
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = Math.toIntExact(getLong(i));
        }
        return out;
    }

    /** A fresh copy of a FLOAT32 or FLOAT64 array's elements, FLOAT64 narrowed to float. */
    public float[] toFloatArray() {
        if (elementType == GgufValueType.FLOAT32) {
            return ((float[]) elements).clone();
        }
        requireElementType(GgufValueType.FLOAT64);
        double[] src = (double[]) elements;
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) src[i];
        }
        return out;
    }

    /** A fresh copy of any numeric array's elements as doubles. */
    public double[] toDoubleArray() {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** An unmodifiable view of a STRING array's elements. */
    public List<String> toStringList() {
        requireElementType(GgufValueType.STRING);
        return Collections.unmodifiableList(Arrays.asList((String[]) elements));
    }

    private long rawLong(int index) {
        return switch (elementType) {
            case UINT8 -> ((byte[]) elements)[index] & 0xFFL;
            case INT8 -> ((byte[]) elements)[index];
            case UINT16 -> ((short[]) elements)[index] & 0xFFFFL;
            case INT16 -> ((short[]) elements)[index];
            case UINT32 -> ((int[]) elements)[index] & 0xFFFF_FFFFL;
            case INT32 -> ((int[]) elements)[index];
            case UINT64, INT64 -> ((long[]) elements)[index];
            default -> throw notA("integer");
        };
    }

    private boolean allNonNegative() {
        for (int v : (int[]) elements) {
            if (v < 0) {
                return false;
            }
        }
        return true;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    private void requireInteger() {
        if (!elementType.isInteger()) {
            throw notA("integer");
        }
    }

    private void requireElementType(GgufValueType expected) {
        if (elementType != expected) {
            throw notA(expected.name());
        }
    }

    private IllegalStateException notA(String what) {
        return new IllegalStateException("array of " + elementType + " has no " + what + " elements");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray other
                && elementType == other.elementType
                && Arrays.deepEquals(new Object[] {elements}, new Object[] {other.elements});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {elements});
    }

    /** A short description with at most the first eight elements, for logs. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(elementType).append('[').append(size).append("]{");
        int shown = Math.min(size, 8);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(get(i));
        }
        return sb.append(shown < size ? ", ...}" : "}").toString();
    }
}
