package dev.strata.memory.gguf;

import static dev.strata.memory.gguf.GgufFormatException.printable;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the metadata key-value section and keeps the heap budget for the whole header. Every array
 * length is checked against the bytes left in the file and every allocation against the budget
 * before it happens, so a declared billion-element array costs nothing. Comments after reads name
 * the spec's C type.
 */
final class GgufMetadataReader {
    /** The spec allows nested arrays without a limit; recursion needs one. */
    static final int MAX_ARRAY_DEPTH = 32;

    private static final int MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;
    // Rough heap costs charged against the budget, in bytes: object headers, references, map entries.
    private static final long STRING_COST = 48;
    private static final long VALUE_COST = 64;

    private final GgufInput in;
    private final long maxHeapBytes;
    private long charged;
    private final Map<String, Long> valueOffsets = new HashMap<>();

    GgufMetadataReader(GgufInput in, long maxHeapBytes) {
        this.in = in;
        this.maxHeapBytes = maxHeapBytes;
    }

    /** Reads {@code count} key-value pairs, already checked to fit in the file, in file order. */
    Map<String, GgufValue> readKeyValues(long count) throws IOException {
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            readKeyValue(i, metadata); // gguf_metadata_kv_t metadata_kv[metadata_kv_count]
        }
        return Collections.unmodifiableMap(metadata);
    }

    /** File offset of the value of {@code key}, for error messages about it; -1 if absent. */
    long valueOffset(String key) {
        return valueOffsets.getOrDefault(key, -1L);
    }

    private void readKeyValue(long index, Map<String, GgufValue> metadata) throws IOException {
        String keyField = "metadata_kv[" + index + "].key";
        long keyAt = in.position();
        String key = readString(keyField, -1); // gguf_string_t key
        if (key.isEmpty()) {
            throw new GgufFormatException(keyField, keyAt, "empty key");
        }
        if (metadata.containsKey(key)) {
            throw new GgufFormatException(keyField, keyAt, "duplicate key '" + printable(key) + "'");
        }
        String field = "metadata[" + printable(key) + "]";
        GgufValueType type = readValueType(field + ".value_type"); // gguf_metadata_value_type value_type (uint32_t)
        valueOffsets.put(key, in.position());
        GgufValue value = readValue(type, field, 0); // gguf_metadata_value_t value
        charge(VALUE_COST, field, keyAt);
        metadata.put(key, value);
    }

    private GgufValueType readValueType(String field) throws IOException {
        long at = in.position();
        long id = in.u32(field); // uint32_t gguf_metadata_value_type
        return GgufValueType.find(id).orElseThrow(() ->
                new GgufFormatException(field, at, "unknown metadata value type " + id + " (known: 0 to 12)"));
    }

    private GgufValue readValue(GgufValueType type, String field, int depth) throws IOException {
        return switch (type) {
            case UINT8 -> new GgufValue.IntValue(type, in.u8(field)); // uint8_t
            case INT8 -> new GgufValue.IntValue(type, in.i8(field)); // int8_t
            case UINT16 -> new GgufValue.IntValue(type, in.u16(field)); // uint16_t
            case INT16 -> new GgufValue.IntValue(type, in.i16(field)); // int16_t
            case UINT32 -> new GgufValue.IntValue(type, in.u32(field)); // uint32_t
            case INT32 -> new GgufValue.IntValue(type, in.i32(field)); // int32_t
            case FLOAT32 -> new GgufValue.FloatValue(type, in.f32(field)); // float
            case BOOL -> new GgufValue.BoolValue(readBool(field)); // bool
            case STRING -> new GgufValue.StringValue(readString(field, -1)); // gguf_string_t
            case ARRAY -> readArray(field, depth); // gguf_array_t
            case UINT64, INT64 -> new GgufValue.IntValue(type, in.i64(field)); // uint64_t, int64_t
            case FLOAT64 -> new GgufValue.FloatValue(type, in.f64(field)); // double
        };
    }

    private boolean readBool(String field) throws IOException {
        long at = in.position();
        int b = in.u8(field); // bool, one byte
        if (b > 1) {
            // The spec calls anything but 0 and 1 invalid; accepting it would hide corruption.
            throw new GgufFormatException(field, at, "BOOL must be 0 or 1, found " + b);
        }
        return b == 1;
    }

    /**
     * Reads a gguf_string_t. {@code index >= 0} names it as element {@code index} of {@code field};
     * the name is built only on failure, which keeps a 150k-token vocabulary cheap.
     */
    String readString(String field, long index) throws IOException {
        long at = in.position();
        if (!in.has(8)) {
            throw in.truncated(8, element(field, index));
        }
        long len = in.uncheckedI64(); // uint64_t len
        if (!in.has(len)) {
            throw new GgufFormatException(element(field, index), at, "string length " + Long.toUnsignedString(len)
                    + " exceeds the " + in.remaining() + " bytes left in the file");
        }
        if (len > MAX_JAVA_ARRAY) {
            throw new GgufFormatException(element(field, index), at, "string length " + len + " exceeds the Java limit");
        }
        charge(STRING_COST + len, field, at);
        return in.utf8((int) len); // char string[len], UTF-8
    }

    private GgufArray readArray(String field, int depth) throws IOException {
        long at = in.position();
        if (depth >= MAX_ARRAY_DEPTH) {
            throw new GgufFormatException(field, at, "arrays nested more than " + MAX_ARRAY_DEPTH + " deep");
        }
        GgufValueType elementType = readValueType(field + ".type"); // gguf_metadata_value_type type (uint32_t)
        long countAt = in.position();
        long count = in.i64(field + ".len"); // uint64_t len
        in.checkCount(count, elementType.minEncodedSize(), field + ".len", countAt);
        if (count > MAX_JAVA_ARRAY) {
            throw new GgufFormatException(field + ".len", countAt, "array length " + count + " exceeds the Java limit");
        }
        int n = (int) count;
        // Fixed-size elements take their encoded size in memory; strings and arrays take a reference
        // here and pay for their contents as they are read.
        charge(VALUE_COST + (long) n * (elementType.isFixedSize() ? elementType.minEncodedSize() : 8), field, at);
        return new GgufArray(elementType, readElements(elementType, n, field, depth)); // gguf_metadata_value_t array[len]
    }

    private Object readElements(GgufValueType type, int n, String field, int depth) throws IOException {
        switch (type) {
            case UINT8, INT8, BOOL -> {
                byte[] a = new byte[n];
                in.readBytes(a); // uint8_t[len], int8_t[len], bool[len]
                if (type == GgufValueType.BOOL) {
                    checkBools(a, field);
                }
                return a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                in.readShorts(a); // uint16_t[len], int16_t[len]
                return a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                in.readInts(a); // uint32_t[len], int32_t[len]
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                in.readFloats(a); // float[len]
                return a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                in.readLongs(a); // uint64_t[len], int64_t[len]
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                in.readDoubles(a); // double[len]
                return a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readString(field, i); // gguf_string_t[len]
                }
                return a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readArray(field + "[" + i + "]", depth + 1); // gguf_array_t[len]
                }
                return a;
            }
            default -> throw new AssertionError(type);
        }
    }

    private void checkBools(byte[] a, String field) throws GgufFormatException {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & 0xFF) > 1) {
                long at = in.position() - a.length + i;
                throw new GgufFormatException(field + "[" + i + "]", at, "BOOL must be 0 or 1, found " + (a[i] & 0xFF));
            }
        }
    }

    /** Adds an estimated heap cost; fails once the header as a whole would exceed the budget. */
    void charge(long bytes, String field, long at) throws GgufFormatException {
        charged += bytes; // each charge is bounded by the file size, so the sum cannot overflow
        if (charged > maxHeapBytes) {
            throw new GgufFormatException(field, at, "the header would take about " + charged
                    + " bytes of memory, over the limit of " + maxHeapBytes);
        }
    }

    private static String element(String field, long index) {
        return index < 0 ? field : field + "[" + index + "]";
    }
}
