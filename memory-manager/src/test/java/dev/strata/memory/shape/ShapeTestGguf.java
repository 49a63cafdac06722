package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: writes a GGUF v3 header with the given keys and tensor infos, then extends the file
 * over a sparse data region, and reads it back, so shape tests go through the real reader.
 *
 * <pre>{@code
 * ModelShape shape = new ShapeTestGguf("llama").u32("block_count", 2).tensor("blk.0.attn_q.weight", GgmlType.F16, 64, 64)
 *         .shape(dir.resolve("m.gguf"));
 * }</pre>
 */
final class ShapeTestGguf {
    private static final int ALIGNMENT = 32;

    private record Tensor(String name, GgmlType type, long[] dims) {}

    private final String arch;
    private final Bytes kvs = new Bytes();
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();

    /** A header with {@code general.architecture = arch}; keys below are prefixed with {@code arch.}. */
    ShapeTestGguf(String arch) {
        this.arch = arch;
        key("general.architecture").u32(8).str(arch);
    }

    private ShapeTestGguf(String prefix, int architectureUint8) {
        this.arch = prefix;
        key("general.architecture").u32(0).u8(architectureUint8);
    }

    /** A header whose {@code general.architecture} is a UINT8, not a string; keys below are prefixed with {@code prefix.}. */
    static ShapeTestGguf architectureAsUint8(String prefix, int value) {
        return new ShapeTestGguf(prefix, value);
    }

    ShapeTestGguf u32(String key, long value) {
        key(arch + "." + key).u32(4).u32(value);
        return this;
    }

    ShapeTestGguf bool(String key, boolean value) {
        key(arch + "." + key).u32(7).u8(value ? 1 : 0);
        return this;
    }

    ShapeTestGguf f32(String key, float value) {
        key(arch + "." + key).u32(6).f32(value);
        return this;
    }

    /** An INT32 array, as convert_hf_to_gguf writes per-layer head counts. */
    ShapeTestGguf i32s(String key, int... values) {
        key(arch + "." + key).u32(9).u32(5).u64(values.length);
        for (int v : values) {
            kvs.u32(v);
        }
        return this;
    }

    /** A BOOL array, as gemma3n-style files write sliding_window_pattern. */
    ShapeTestGguf bools(String key, boolean... values) {
        key(arch + "." + key).u32(9).u32(7).u64(values.length);
        for (boolean v : values) {
            kvs.u8(v ? 1 : 0);
        }
        return this;
    }

    ShapeTestGguf tensor(String name, GgmlType type, long... dims) {
        tensors.add(new Tensor(name, type, dims));
        return this;
    }

    /** Writes the file and reads its shape. */
    ModelShape shape(Path file) throws IOException {
        return ModelShape.of(read(file));
    }

    /** Writes the file and reads it back. */
    GgufFile read(Path file) throws IOException {
        byte[] header = header();
        Files.write(file, header);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(header.length + Math.max(dataBytes(), 1)); // a hole: no disk blocks for the data
        }
        return GgufFile.read(file);
    }

    /** The header, padded to the data alignment: what precedes the tensor data in the file. */
    byte[] header() {
        Bytes out = new Bytes();
        out.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors.size()).u64(kvCount);
        out.raw(kvs.toByteArray());
        long offset = 0;
        for (Tensor t : tensors) {
            out.str(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                out.u64(d);
            }
            out.u32(t.type().id()).u64(offset);
            offset += paddedBytes(t);
        }
        byte[] header = out.toByteArray();
        int dataStart = (header.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        return java.util.Arrays.copyOf(header, dataStart);
    }

    /** Bytes of the tensor data region that follows {@link #header()}. */
    long dataBytes() {
        return tensors.stream().mapToLong(ShapeTestGguf::paddedBytes).sum();
    }

    private static long paddedBytes(Tensor t) {
        long elements = 1;
        for (long d : t.dims()) {
            elements *= d;
        }
        return (t.type().byteSize(elements) + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private Bytes key(String name) {
        kvCount++;
        return kvs.str(name);
    }

    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u32(long v) {
            scratch.clear();
            scratch.putInt((int) v);
            out.write(scratch.array(), 0, 4);
            return this;
        }

        Bytes u64(long v) {
            scratch.clear();
            scratch.putLong(v);
            out.write(scratch.array(), 0, 8);
            return this;
        }

        Bytes f32(float v) {
            return u32(Float.floatToIntBits(v));
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            return raw(b);
        }

        Bytes raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
