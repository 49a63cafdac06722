package dev.strata.memory.gguf;

import static dev.strata.memory.gguf.GgufValueType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.memory.gguf.GgufTestWriter.Arr;
import dev.strata.memory.gguf.GgufTestWriter.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Big files and big headers: the reader stays fast and within its heap budget. */
class GgufLargeFileTest {
    private static final long GB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void sparseMultiGigabyteModelReadsInstantly() throws IOException {
        GgufTestWriter w = new GgufTestWriter().kv("general.architecture", STRING, "llama")
                .kv("llama.block_count", UINT32, 32L);
        long expected = 0;
        for (int layer = 0; layer < 32; layer++) {
            w.tensor("blk." + layer + ".ffn_gate.weight", GgmlType.Q4_K, 4096, 14336);
            w.tensor("blk." + layer + ".ffn_up.weight", GgmlType.Q4_K, 4096, 14336);
            w.tensor("blk." + layer + ".ffn_down.weight", GgmlType.Q6_K, 14336, 4096);
            expected += 4096L * 14336 / 256 * (144 + 144 + 210);
        }
        w.tensor("token_embd.weight", GgmlType.F16, 4096, 128256);
        expected += 4096L * 128256 * 2;
        int headerLength = w.headerOnly().toBytes().length;
        Path file = w.writeSparse(dir.resolve("sparse.gguf"), headerLength + expected);

        long start = System.nanoTime();
        GgufFile f = GgufFile.read(file);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(f.fileSize()).as("offsets past 2^32 are exercised").isGreaterThan(4 * GB);
        assertThat(f.dataOffset()).isEqualTo(headerLength);
        assertThat(f.tensorBytes()).isEqualTo(expected);
        assertThat(f.dataOffset() + f.tensorBytes()).isEqualTo(f.fileSize());
        assertThat(f.tensors()).hasSize(97);
        // Printed, not asserted: a timer in a unit test fails on a busy machine and proves nothing.
        System.out.println("read in " + millis + " ms");
    }

    @Test
    void vocabularyOf150kTokensInA10MbHeaderReadsInUnderASecond() throws IOException {
        int n = 150_000;
        List<Object> tokens = new ArrayList<>(n);
        List<Object> scores = new ArrayList<>(n);
        List<Object> types = new ArrayList<>(n);
        List<Object> merges = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            tokens.add("tok_" + Integer.toString(i, 36) + (i % 7 == 0 ? "é中" : ""));
            scores.add(-i / 1000f);
            types.add(i % 6);
        }
        for (int i = 0; i < 2 * n; i++) {
            merges.add("Ġmerge" + Integer.toString(i, 36) + " pair" + i);
        }
        Path file = new GgufTestWriter().kv("general.architecture", STRING, "qwen2")
                .kv("tokenizer.ggml.tokens", ARRAY, new Arr(STRING, tokens))
                .kv("tokenizer.ggml.scores", ARRAY, new Arr(FLOAT32, scores))
                .kv("tokenizer.ggml.token_type", ARRAY, new Arr(INT32, types))
                .kv("tokenizer.ggml.merges", ARRAY, new Arr(STRING, merges))
                .tensor("token_embd.weight", GgmlType.F32, 8, n)
                .writeTo(dir.resolve("vocab.gguf"));
        assertThat(Files.size(file) - 8L * n * 4).as("header bytes").isGreaterThan(10_000_000);

        long start = System.nanoTime();
        GgufFile f = GgufFile.read(file);
        long millis = (System.nanoTime() - start) / 1_000_000;

        GgufArray read = f.getArray("tokenizer.ggml.tokens");
        assertThat(read.size()).isEqualTo(n);
        assertThat(read.getString(0)).isEqualTo("tok_0é中");
        assertThat(read.getString(n - 1)).isEqualTo(tokens.get(n - 1));
        assertThat(f.getArray("tokenizer.ggml.scores").toFloatArray()[1234]).isEqualTo(-1.234f);
        assertThat(f.getArray("tokenizer.ggml.token_type").toIntArray()[11]).isEqualTo(5);
        assertThat(f.getArray("tokenizer.ggml.merges").getString(2 * n - 1)).isEqualTo(merges.get(2 * n - 1));
        // Printed, not asserted: a timer in a unit test fails on a busy machine and proves nothing.
        System.out.println("read in " + millis + " ms");

        Throwable tooSmall = catchThrowable(() -> GgufFile.read(file, 1 << 20));
        assertThat(tooSmall).isInstanceOf(GgufFormatException.class).hasMessageContaining("over the limit of 1048576");
    }

    @Test
    void sparseFileCannotBuyHugeArraysWithItsSize() throws IOException {
        // The file is big enough to "hold" each declared array, so only the heap budget stops them.
        long length = 24 * GB;
        for (GgufValueType type : new GgufValueType[] {UINT8, FLOAT32, INT64, STRING, ARRAY}) {
            long count = Math.min(Integer.MAX_VALUE - 8, length / 16 / type.minEncodedSize());
            Path file = new GgufTestWriter()
                    .rawKv(new Bytes().str("huge").u32(ARRAY.id()).u32(type.id()).u64(count))
                    .writeSparse(dir.resolve(type + ".gguf"), length);
            Throwable thrown = catchThrowable(() -> GgufFile.read(file));
            assertThat(thrown).as("%s x %d", type, count).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("metadata[huge]").hasMessageContaining("over the limit");
        }
    }

    @Test
    void sparseFileOfZeroLengthStringsRunsOutOfBudgetNotHeap() throws IOException {
        // 20M empty strings: small enough to pass the up-front charge, each then charged as it is read.
        Path file = new GgufTestWriter()
                .rawKv(new Bytes().str("tokens").u32(ARRAY.id()).u32(STRING.id()).u64(20_000_000))
                .writeSparse(dir.resolve("zeros.gguf"), 4 * GB);
        Throwable thrown = catchThrowable(() -> GgufFile.read(file));
        assertThat(thrown).isInstanceOf(GgufFormatException.class).hasMessageContaining("over the limit");
        assertThat(((GgufFormatException) thrown).field()).isEqualTo("metadata[tokens]");
    }
}
