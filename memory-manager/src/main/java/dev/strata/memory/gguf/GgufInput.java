package dev.strata.memory.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian reads from the front of a file through one fixed 64 KiB buffer. Positional reads
 * on the channel never go past the file size taken at open, so the reader costs one buffer of
 * memory and at most one buffer of I/O beyond the header, however large (or sparse) the file is.
 *
 * <p>Every checked read first compares against the file size, so truncation surfaces as a
 * {@link GgufFormatException} naming the field, never as an {@code EOFException} or a
 * {@code BufferUnderflowException}.
 */
final class GgufInput {
    static final int BUFFER_SIZE = 1 << 16;

    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long bufStart; // file offset of buf index 0

    GgufInput(FileChannel channel) throws IOException {
        this.channel = channel;
        this.fileSize = channel.size();
        buf.limit(0);
    }

    long fileSize() {
        return fileSize;
    }

    long position() {
        return bufStart + buf.position();
    }

    long remaining() {
        return fileSize - position();
    }

    /** Whether {@code n} more bytes exist; {@code n} is unsigned, so 2^64-1 is simply "no". */
    boolean has(long n) {
        return Long.compareUnsigned(n, remaining()) <= 0;
    }

    /** Fails with a truncation error for {@code field} unless {@code n} more bytes exist. */
    void require(long n, String field) throws GgufFormatException {
        if (!has(n)) {
            throw truncated(n, field);
        }
    }

    /**
     * Fails unless {@code count} entries of at least {@code minBytesEach} bytes fit in what remains;
     * run before allocating anything sized by a count read from the file.
     */
    void checkCount(long count, int minBytesEach, String field, long at) throws GgufFormatException {
        // count is a uint64: a negative long is a count of 2^63 or more.
        if (count < 0 || count > remaining() / minBytesEach) {
            throw new GgufFormatException(field, at, "declares " + Long.toUnsignedString(count)
                    + " entries of at least " + minBytesEach + " bytes each, but only " + remaining()
                    + " bytes remain in the file");
        }
    }

    GgufFormatException truncated(long n, String field) {
        return new GgufFormatException(field, position(), "needs " + Long.toUnsignedString(n)
                + " bytes but the file ends " + remaining() + " bytes later, at offset " + fileSize);
    }

    int u8(String field) throws IOException {
        require(1, field);
        ensure(1);
        return buf.get() & 0xFF;
    }

    byte i8(String field) throws IOException {
        require(1, field);
        ensure(1);
        return buf.get();
    }

    int u16(String field) throws IOException {
        return i16(field) & 0xFFFF;
    }

    short i16(String field) throws IOException {
        require(2, field);
        ensure(2);
        return buf.getShort();
    }

    long u32(String field) throws IOException {
        return i32(field) & 0xFFFF_FFFFL;
    }

    int i32(String field) throws IOException {
        require(4, field);
        ensure(4);
        return buf.getInt();
    }

    /** A uint64 or int64 as raw bits; callers decide whether the top bit means "huge" or "negative". */
    long i64(String field) throws IOException {
        require(8, field);
        ensure(8);
        return buf.getLong();
    }

    float f32(String field) throws IOException {
        return Float.intBitsToFloat(i32(field));
    }

    double f64(String field) throws IOException {
        return Double.longBitsToDouble(i64(field));
    }

    /** An 8-byte read whose bounds the caller has already checked with {@link #has}. */
    long uncheckedI64() throws IOException {
        ensure(8);
        return buf.getLong();
    }

    /** {@code len} bytes of UTF-8, bounds already checked; malformed sequences become U+FFFD. */
    String utf8(int len) throws IOException {
        if (len <= BUFFER_SIZE) {
            // Decode straight out of the buffer: the common case (vocab tokens) allocates only the String.
            ensure(len);
            String s = new String(buf.array(), buf.arrayOffset() + buf.position(), len, StandardCharsets.UTF_8);
            buf.position(buf.position() + len);
            return s;
        }
        byte[] bytes = new byte[len];
        readBytes(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // Bulk reads of pre-checked element runs; each copies whole chunks through the buffer's views.

    void readBytes(byte[] dst) throws IOException {
        bulk(dst.length, 1, (b, off, k) -> b.get(b.position(), dst, off, k));
    }

    void readShorts(short[] dst) throws IOException {
        bulk(dst.length, 2, (b, off, k) -> b.asShortBuffer().get(dst, off, k));
    }

    void readInts(int[] dst) throws IOException {
        bulk(dst.length, 4, (b, off, k) -> b.asIntBuffer().get(dst, off, k));
    }

    void readLongs(long[] dst) throws IOException {
        bulk(dst.length, 8, (b, off, k) -> b.asLongBuffer().get(dst, off, k));
    }

    void readFloats(float[] dst) throws IOException {
        bulk(dst.length, 4, (b, off, k) -> b.asFloatBuffer().get(dst, off, k));
    }

    void readDoubles(double[] dst) throws IOException {
        bulk(dst.length, 8, (b, off, k) -> b.asDoubleBuffer().get(dst, off, k));
    }

    private interface Chunk {
        void copy(ByteBuffer src, int dstOffset, int count);
    }

    private void bulk(int count, int width, Chunk chunk) throws IOException {
        int perChunk = BUFFER_SIZE / width;
        for (int done = 0; done < count; ) {
            int k = Math.min(count - done, perChunk);
            ensure(k * width);
            chunk.copy(buf, done, k); // views start at buf.position() and leave it unchanged
            buf.position(buf.position() + k * width);
            done += k;
        }
    }

    /** Makes at least {@code n <= BUFFER_SIZE} bytes available in the buffer. */
    private void ensure(int n) throws IOException {
        if (buf.remaining() >= n) {
            return;
        }
        bufStart += buf.position();
        buf.compact();
        while (buf.position() < n) {
            long filePos = bufStart + buf.position();
            long left = fileSize - filePos;
            if (left <= 0) {
                break;
            }
            // Stop at the size seen at open: bytes appended since are not part of what we validated.
            int savedLimit = buf.limit();
            buf.limit(buf.position() + (int) Math.min(buf.remaining(), left));
            int read = channel.read(buf, filePos);
            buf.limit(savedLimit);
            if (read < 0) {
                break;
            }
        }
        buf.flip();
        if (buf.remaining() < n) {
            throw new GgufFormatException("file", position(),
                    "the file ended early; it was " + fileSize + " bytes when opened and shrank while being read");
        }
    }
}
