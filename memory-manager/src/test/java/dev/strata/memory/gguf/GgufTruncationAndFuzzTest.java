package dev.strata.memory.gguf;

import static dev.strata.memory.gguf.GgufValueType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.strata.memory.gguf.GgufTestWriter.Arr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged copies of a valid file: the reader may succeed or throw GgufFormatException, nothing else. */
class GgufTruncationAndFuzzTest {
    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 5, 7, 9, 12, 13, 31, 32, 33, 255, 0xFFFF_FFFFL,
        1L << 31, 1L << 32, 1L << 60, Long.MAX_VALUE, Long.MIN_VALUE, -1};

    @TempDir
    Path dir;

    /** Every value type, nested arrays, custom alignment and several tensors whose data ends the file. */
    static byte[] sample() {
        return new GgufTestWriter()
                .kv("general.architecture", STRING, "llama")
                .alignment(16)
                .kv("u8", UINT8, 7).kv("i8", INT8, -7).kv("u16", UINT16, 700).kv("i16", INT16, -700)
                .kv("u32", UINT32, 70_000L).kv("i32", INT32, -70_000).kv("u64", UINT64, 1L << 40)
                .kv("i64", INT64, -(1L << 40)).kv("f32", FLOAT32, 0.5f).kv("f64", FLOAT64, 0.25)
                .kv("bool", BOOL, true)
                .kv("tokens", ARRAY, Arr.of(STRING, "<s>", "</s>", "a", "bc"))
                .kv("scores", ARRAY, Arr.of(FLOAT32, 0f, -1f, -2f, -3f))
                .kv("nested", ARRAY, Arr.of(ARRAY, Arr.of(UINT16, 1, 2), Arr.of(BOOL, false)))
                .tensor("token_embd.weight", GgmlType.Q8_0, 32, 2)
                .tensor("norm", GgmlType.F32, 3)
                .tensor("out", GgmlType.F16, 2, 2, 2)
                .toBytes();
    }

    @Test
    void sampleIsValid() throws IOException {
        byte[] bytes = sample();
        GgufFile f = GgufFile.read(Files.write(dir.resolve("ok.gguf"), bytes));
        assertThat(f.alignment()).isEqualTo(16);
        assertThat(f.tensors()).hasSize(3);
        assertThat(f.dataOffset() + f.tensor("out").offset() + f.tensor("out").byteSize()).isEqualTo(bytes.length);
    }

    @Test
    void everyTruncationFailsWithAFormatException() throws IOException {
        byte[] bytes = sample();
        Path file = dir.resolve("cut.gguf");
        for (int length = 0; length < bytes.length; length++) {
            Files.write(file, Arrays.copyOf(bytes, length));
            try {
                GgufFile.read(file);
                fail("truncation to %d of %d bytes was accepted", length, bytes.length);
            } catch (GgufFormatException expected) {
                assertThat(expected.offset()).as("offset for length %d", length).isBetween(0L, (long) length);
                assertThat(expected.getMessage()).contains(" at offset ");
            }
        }
    }

    @Test
    void randomCorruptionNeverEscapesTheTypedExceptions() throws IOException {
        byte[] original = sample();
        Path file = dir.resolve("fuzz.gguf");
        Random random = new Random(20240601);
        int accepted = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] bytes = original.clone();
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(bytes.length);
                if (random.nextBoolean()) {
                    bytes[at] = (byte) random.nextInt(256);
                } else { // plant a suspicious little-endian word where a count or length may be
                    long v = INTERESTING[random.nextInt(INTERESTING.length)];
                    for (int b = 0; b < 8 && at + b < bytes.length; b++) {
                        bytes[at + b] = (byte) (v >>> (8 * b));
                    }
                }
            }
            Files.write(file, bytes);
            try {
                checkInvariants(GgufFile.read(file));
                accepted++;
            } catch (GgufFormatException expected) {
                // the only acceptable failure
            } catch (Throwable t) {
                throw new AssertionError("round " + round + " escaped with " + t, t);
            }
        }
        assertThat(accepted).as("some edits (e.g. in tensor data) are harmless").isPositive();
    }

    private static void checkInvariants(GgufFile f) {
        assertThat(f.dataOffset()).isBetween(0L, f.fileSize());
        assertThat(f.dataOffset() % f.alignment()).isZero();
        for (GgufTensorInfo t : f.tensors()) {
            assertThat(f.dataOffset() + t.offset() + t.byteSize()).isLessThanOrEqualTo(f.fileSize());
            assertThat(t.offset() % f.alignment()).isZero();
        }
    }
}
