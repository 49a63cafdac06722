package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Streams seeded random tensor data that llama.cpp can compute on: finite floats, or quantized
 * blocks whose fp16 scales are small and finite (see {@link BlockScales}). Works through one
 * fixed buffer, so a tensor of any size costs the same memory.
 */
final class RandomTensorData {
    private static final int CHUNK_BYTES = 1 << 20;

    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final SplittableRandom random;

    RandomTensorData(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Whether {@link #write} can fill tensors of this type. */
    static boolean supports(GgmlType type) {
        return isFloat(type) || BlockScales.of(type).isPresent();
    }

    /** The error for a tensor whose type {@link #supports} rejects. */
    static IllegalArgumentException unsupported(GgufTensorInfo tensor) {
        return new IllegalArgumentException(tensor.name() + ": no random data for " + tensor.type()
                + "; supported: F32, F16, BF16, " + BlockScales.supported());
    }

    /** Writes {@code tensor.byteSize()} bytes of data for the tensor; no padding. */
    void write(GgufTensorInfo tensor, RandomFill fill, GgufEncoder out) throws IOException {
        GgmlType type = tensor.type();
        if (isFloat(type)) {
            writeFloats(type, tensor.elementCount(), fill, out);
        } else {
            BlockScales scales = BlockScales.of(type).orElseThrow(() -> unsupported(tensor));
            writeBlocks(type, scales, tensor.elementCount() / type.blockSize(), fill, out);
        }
    }

    private void writeFloats(GgmlType type, long elements, RandomFill fill, GgufEncoder out) throws IOException {
        int perChunk = CHUNK_BYTES / type.typeSize();
        for (long done = 0; done < elements; ) {
            int n = (int) Math.min(perChunk, elements - done);
            chunk.clear();
            for (int i = 0; i < n; i++) {
                float v = fill.center() + fill.spread() * (float) (2 * random.nextDouble() - 1);
                switch (type) {
                    case F32 -> chunk.putFloat(v);
                    case F16 -> chunk.putShort(Fp16.fromFloat(v));
                    // bf16 is the top half of a float; truncation is close enough for noise.
                    default -> chunk.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
            out.bytes(chunk.flip());
            done += n;
        }
    }

    private void writeBlocks(GgmlType type, BlockScales scales, long blocks, RandomFill fill, GgufEncoder out)
            throws IOException {
        int blockBytes = type.typeSize();
        int perChunk = CHUNK_BYTES / blockBytes;
        // Largest scale such that |scale * factor| stays within the spread.
        float maxScale = fill.spread() / scales.maxQuantFactor();
        for (long done = 0; done < blocks; ) {
            int n = (int) Math.min(perChunk, blocks - done);
            int bytes = n * blockBytes;
            chunk.clear();
            // Random quants everywhere first, then the scales over them.
            for (int i = 0; i + 8 <= bytes; i += 8) {
                chunk.putLong(i, random.nextLong());
            }
            for (int i = bytes & ~7; i < bytes; i++) {
                chunk.put(i, (byte) random.nextInt());
            }
            for (int b = 0; b < n; b++) {
                for (int off : scales.halfOffsets()) {
                    // Magnitude in [0.5, 1] of the maximum: never zero, so no block is dead.
                    float scale = maxScale * (float) (0.5 + 0.5 * random.nextDouble());
                    chunk.putShort(b * blockBytes + off, Fp16.fromFloat(random.nextBoolean() ? scale : -scale));
                }
            }
            out.bytes(chunk.limit(bytes).position(0));
            done += n;
        }
    }

    private static boolean isFloat(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16;
    }
}
