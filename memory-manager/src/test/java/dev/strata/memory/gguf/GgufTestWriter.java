package dev.strata.memory.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only GGUF writer: builds a file in memory, header then zero-filled tensor data, with hooks to
 * write the malformed variants the reader must reject.
 *
 * <pre>{@code
 * byte[] file = new GgufTestWriter()
 *         .kv("general.architecture", GgufValueType.STRING, "llama")
 *         .tensor("w", GgmlType.F32, 4, 2)
 *         .toBytes();
 * }</pre>
 */
final class GgufTestWriter {
    /** An array value to pass to {@link #kv}: element type plus elements (nested {@code Arr} for ARRAY). */
    record Arr(GgufValueType elementType, List<?> elements) {
        static Arr of(GgufValueType elementType, Object... elements) {
            return new Arr(elementType, List.of(elements));
        }
    }

    private record Tensor(String name, int typeId, long[] dims, Long offset, long byteSize) {}

    private static final long MAX_DATA = 1L << 26;

    private long version = 3;
    private long alignment = 32;
    private Long tensorCountOverride;
    private Long kvCountOverride;
    private boolean writeData = true;
    private final Bytes kvs = new Bytes();
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();

    GgufTestWriter version(long version) {
        this.version = version;
        return this;
    }

    /** Writes {@code general.alignment} as a UINT32 and pads and places tensors by it. */
    GgufTestWriter alignment(long alignment) {
        this.alignment = alignment;
        return kv("general.alignment", GgufValueType.UINT32, alignment);
    }

    GgufTestWriter kv(String key, GgufValueType type, Object value) {
        kvs.str(key).u32(type.id());
        value(kvs, type, value);
        kvCount++;
        return this;
    }

    /** Appends raw bytes as one key-value pair, for pairs the typed API cannot express. */
    GgufTestWriter rawKv(Bytes pair) {
        kvs.raw(pair.toByteArray());
        kvCount++;
        return this;
    }

    /** A tensor whose offset is placed after the previous one, aligned. */
    GgufTestWriter tensor(String name, GgmlType type, long... dims) {
        long elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        tensors.add(new Tensor(name, type.id(), dims, null, type.byteSize(elements)));
        return this;
    }

    /** A tensor with every field as given, sized as {@code byteSize} for the data section. */
    GgufTestWriter rawTensor(String name, int typeId, long offset, long byteSize, long... dims) {
        tensors.add(new Tensor(name, typeId, dims, offset, byteSize));
        return this;
    }

    GgufTestWriter tensorCount(long count) {
        this.tensorCountOverride = count;
        return this;
    }

    GgufTestWriter kvCount(long count) {
        this.kvCountOverride = count;
        return this;
    }

    /** Ends the file after the header padding, for sparse files extended with {@link #writeSparse}. */
    GgufTestWriter headerOnly() {
        this.writeData = false;
        return this;
    }

    byte[] toBytes() {
        Bytes out = new Bytes().raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version)
                .u64(tensorCountOverride != null ? tensorCountOverride : tensors.size())
                .u64(kvCountOverride != null ? kvCountOverride : kvCount)
                .raw(kvs.toByteArray());
        long next = 0;
        long dataEnd = 0;
        for (Tensor t : tensors) {
            long offset = t.offset != null ? t.offset : next;
            out.str(t.name).u32(t.dims.length);
            for (long d : t.dims) {
                out.u64(d);
            }
            out.u32(t.typeId).u64(offset);
            next = alignUp(offset + t.byteSize);
            if (offset + t.byteSize <= MAX_DATA) { // hostile offsets get no data: the reader must reject them first
                dataEnd = Math.max(dataEnd, offset + t.byteSize);
            }
        }
        if (!tensors.isEmpty()) {
            out.zeros(alignUp(out.size()) - out.size());
        }
        if (writeData) {
            out.zeros(dataEnd);
        }
        return out.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    /** Writes the header only, then extends the file to {@code length} bytes without writing them. */
    Path writeSparse(Path file, long length) throws IOException {
        headerOnly().writeTo(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        return file;
    }

    private long alignUp(long offset) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static void value(Bytes out, GgufValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> out.u8(((Number) v).intValue());
            case UINT16, INT16 -> out.u16(((Number) v).intValue());
            case UINT32, INT32 -> out.u32(((Number) v).longValue());
            case UINT64, INT64 -> out.u64(((Number) v).longValue());
            case FLOAT32 -> out.u32(Float.floatToRawIntBits(((Number) v).floatValue()));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.str((String) v);
            case ARRAY -> {
                Arr a = (Arr) v;
                out.u32(a.elementType().id()).u64(a.elements().size());
                for (Object e : a.elements()) {
                    value(out, a.elementType(), e);
                }
            }
        }
    }

    /** Little-endian byte builder, also used by tests to hand-craft fields. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return u8(v).u8(v >>> 8);
        }

        Bytes u32(long v) {
            return u16((int) v).u16((int) (v >>> 16));
        }

        Bytes u64(long v) {
            return u32(v).u32(v >>> 32);
        }

        /** A gguf_string_t. */
        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).raw(b);
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Bytes zeros(long n) {
            return raw(new byte[Math.toIntExact(n)]);
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
