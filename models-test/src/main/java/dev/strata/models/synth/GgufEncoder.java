package dev.strata.models.synth;

import dev.strata.memory.gguf.GgufArray;
import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Little-endian GGUF primitives and metadata values, buffered onto a channel. Counts what it
 * writes, because GGUF pads the data section relative to the start of the file.
 */
final class GgufEncoder {
    private final WritableByteChannel out;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private long written;

    GgufEncoder(WritableByteChannel out) {
        this.out = out;
    }

    /** Bytes written so far, buffered ones included. */
    long position() {
        return written + buf.position();
    }

    void u8(int v) throws IOException {
        room(1).put((byte) v);
    }

    void u16(int v) throws IOException {
        room(2).putShort((short) v);
    }

    void u32(long v) throws IOException {
        room(4).putInt((int) v);
    }

    void u64(long v) throws IOException {
        room(8).putLong(v);
    }

    void f32(float v) throws IOException {
        room(4).putFloat(v);
    }

    void f64(double v) throws IOException {
        room(8).putDouble(v);
    }

    /** A {@code gguf_string_t}: uint64 byte length, then UTF-8 without a terminator. */
    void string(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u64(bytes.length);
        bytes(ByteBuffer.wrap(bytes));
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    void pad(long alignment) throws IOException {
        while (position() % alignment != 0) {
            u8(0);
        }
    }

    /** Raw bytes from {@code src}'s position to its limit. */
    void bytes(ByteBuffer src) throws IOException {
        if (src.remaining() <= buf.remaining()) {
            buf.put(src);
            return;
        }
        flush();
        while (src.hasRemaining()) {
            written += out.write(src);
        }
    }

    /** A value's payload, without its type tag (the tag precedes it in a key-value pair only). */
    void value(GgufValue value) throws IOException {
        // Java 17 has no pattern switch; the interface is sealed, so these five cases are all.
        if (value instanceof GgufValue.IntValue i) {
            integer(i.type(), i.value());
        } else if (value instanceof GgufValue.FloatValue f) {
            floating(f.type(), f.value());
        } else if (value instanceof GgufValue.BoolValue b) {
            u8(b.value() ? 1 : 0);
        } else if (value instanceof GgufValue.StringValue s) {
            string(s.value());
        } else {
            GgufArray a = (GgufArray) value;
            array(a.elementType(), a.size(), a::get);
        }
    }

    /** An array's payload: uint32 element type, uint64 count, then each element's payload. */
    void array(GgufValueType elementType, int size, IntFunction<GgufValue> element) throws IOException {
        u32(elementType.id());
        u64(size);
        for (int i = 0; i < size; i++) {
            value(element.apply(i));
        }
    }

    /** Same as {@link #array(GgufValueType, int, IntFunction)} over a list. */
    void array(GgufValueType elementType, List<? extends GgufValue> elements) throws IOException {
        array(elementType, elements.size(), elements::get);
    }

    void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            written += out.write(buf);
        }
        buf.clear();
    }

    private void integer(GgufValueType type, long v) throws IOException {
        // IntValue keeps UINT64 as raw bits, so every width is a plain truncation here.
        switch (type) {
            case UINT8, INT8 -> u8((int) v);
            case UINT16, INT16 -> u16((int) v);
            case UINT32, INT32 -> u32(v);
            default -> u64(v);
        }
    }

    private void floating(GgufValueType type, double v) throws IOException {
        if (type == GgufValueType.FLOAT32) {
            f32((float) v);
        } else {
            f64(v);
        }
    }

    private ByteBuffer room(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
        return buf;
    }
}
