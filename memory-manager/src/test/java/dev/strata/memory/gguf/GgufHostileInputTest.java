package dev.strata.memory.gguf;

import static dev.strata.memory.gguf.GgufValueType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.memory.gguf.GgufTestWriter.Arr;
import dev.strata.memory.gguf.GgufTestWriter.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed and hostile headers: each must end in the right typed exception, naming field and offset. */
class GgufHostileInputTest {
    private static final long TB = 1L << 40;
    private static final int KV_START = 24; // magic, version, tensor_count, metadata_kv_count

    @TempDir
    Path dir;

    private GgufFormatException fails(GgufTestWriter writer) throws IOException {
        return fails(writer.toBytes());
    }

    private GgufFormatException fails(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("bad.gguf"), bytes);
        Throwable thrown = catchThrowable(() -> GgufFile.read(file));
        assertThat(thrown).isInstanceOf(GgufFormatException.class);
        GgufFormatException e = (GgufFormatException) thrown;
        assertThat(e.getMessage()).isEqualTo(e.field() + " at offset " + e.offset() + ": " + e.detail());
        return e;
    }

    private static GgufTestWriter kv(Bytes pair) {
        return new GgufTestWriter().rawKv(pair);
    }

    @Test
    void badMagicIsNotGguf() throws IOException {
        byte[] bytes = new GgufTestWriter().toBytes();
        bytes[3] = 'L';
        GgufFormatException e = fails(bytes);
        assertThat(e).isInstanceOf(NotGgufException.class);
        assertThat(e).hasMessage("magic at offset 0: expected \"GGUF\" (47 47 55 46) but found 47 47 55 4c");
    }

    @Test
    void filesShorterThanTheMagicAreNotGguf() throws IOException {
        for (int n = 0; n < 4; n++) {
            assertThat(fails(new byte[n])).isInstanceOf(NotGgufException.class);
        }
    }

    @Test
    void version1IsUnsupported() throws IOException {
        GgufFormatException e = fails(new GgufTestWriter().version(1));
        assertThat(e).isInstanceOf(UnsupportedGgufVersionException.class);
        assertThat(((UnsupportedGgufVersionException) e).version()).isEqualTo(1);
        assertThat(e.getMessage()).startsWith("version at offset 4: GGUF version 1 is not supported");
    }

    @Test
    void otherVersionsAreUnsupported() throws IOException {
        for (long version : new long[] {0, 4, 0xFFFF_FFFFL, 0x0300_0000L}) {
            GgufFormatException e = fails(new GgufTestWriter().version(version));
            assertThat(e).isInstanceOf(UnsupportedGgufVersionException.class);
            assertThat(((UnsupportedGgufVersionException) e).version()).isEqualTo(version);
        }
        assertThat(fails(new GgufTestWriter().version(0x0300_0000L))).hasMessageContaining("big-endian");
    }

    @Test
    void hugeCountsFailBeforeAllocating() throws IOException {
        for (long count : new long[] {1_000_000_000L, Long.MAX_VALUE, -1L}) {
            GgufFormatException kvs = fails(new GgufTestWriter().kvCount(count));
            assertThat(kvs.field()).isEqualTo("metadata_kv_count");
            assertThat(kvs.offset()).isEqualTo(16);
            assertThat(kvs.detail()).contains(Long.toUnsignedString(count));
            GgufFormatException tensors = fails(new GgufTestWriter().tensorCount(count));
            assertThat(tensors.field()).isEqualTo("tensor_count");
            assertThat(tensors.offset()).isEqualTo(8);
        }
    }

    @Test
    void hugeStringLengthsFailBeforeAllocating() throws IOException {
        GgufFormatException key = fails(kv(new Bytes().u64(1L << 60).raw("k".getBytes()).zeros(16)));
        assertThat(key).hasMessage("metadata_kv[0].key at offset 24: string length 1152921504606846976"
                + " exceeds the 17 bytes left in the file");
        GgufFormatException value = fails(kv(new Bytes().str("k").u32(STRING.id()).u64(-1L)));
        assertThat(value.field()).isEqualTo("metadata[k]");
        assertThat(value.offset()).isEqualTo(KV_START + 9 + 4);
        assertThat(value.detail()).contains("18446744073709551615");
        GgufFormatException name = fails(new GgufTestWriter().tensorCount(1)
                .rawKv(new Bytes().str("k").u32(UINT8.id()).u8(0)).toBytes());
        assertThat(name.field()).isEqualTo("tensor_count"); // too few bytes left for even one tensor info
    }

    @Test
    void hugeArraysFailBeforeAllocating() throws IOException {
        for (GgufValueType type : GgufValueType.values()) {
            for (long count : new long[] {1_000_000_000L, Integer.MAX_VALUE + 1L, -1L}) {
                GgufFormatException e = fails(kv(new Bytes().str("a").u32(ARRAY.id()).u32(type.id()).u64(count)));
                assertThat(e.field()).isEqualTo("metadata[a].len");
                assertThat(e.offset()).isEqualTo(KV_START + 9 + 4 + 4);
            }
        }
        GgufFormatException inner = fails(kv(new Bytes().str("a").u32(ARRAY.id()).u32(ARRAY.id()).u64(1)
                .u32(STRING.id()).u64(2).str("x").u64(TB)));
        assertThat(inner.field()).isEqualTo("metadata[a][0][1]");
    }

    @Test
    void deeplyNestedArraysAreCappedWithoutStackOverflow() throws IOException {
        Bytes pair = new Bytes().str("deep").u32(ARRAY.id());
        for (int i = 0; i < 100_000; i++) {
            pair.u32(ARRAY.id()).u64(1);
        }
        GgufFormatException e = fails(kv(pair));
        assertThat(e.detail()).contains("nested more than " + GgufMetadataReader.MAX_ARRAY_DEPTH);
    }

    @Test
    void unknownValueTypesAreRejected() throws IOException {
        assertThat(fails(kv(new Bytes().str("k").u32(13).u32(0))))
                .hasMessage("metadata[k].value_type at offset 33: unknown metadata value type 13 (known: 0 to 12)");
        assertThat(fails(kv(new Bytes().str("k").u32(ARRAY.id()).u32(0xFFFF_FFFFL).u64(0))).field())
                .isEqualTo("metadata[k].type");
    }

    @Test
    void boolsOtherThanZeroOrOneAreRejected() throws IOException {
        assertThat(fails(kv(new Bytes().str("b").u32(BOOL.id()).u8(2))).detail()).contains("found 2");
        GgufFormatException e = fails(kv(new Bytes().str("b").u32(ARRAY.id()).u32(BOOL.id()).u64(3).u8(1).u8(0).u8(7)));
        assertThat(e.field()).isEqualTo("metadata[b][2]");
        assertThat(e.offset()).isEqualTo(KV_START + 9 + 4 + 4 + 8 + 2);
    }

    @Test
    void emptyAndDuplicateKeysAreRejected() throws IOException {
        assertThat(fails(new GgufTestWriter().kv("", UINT8, 1))).hasMessage("metadata_kv[0].key at offset 24: empty key");
        GgufFormatException dup = fails(new GgufTestWriter().kv("a", UINT8, 1).kv("a", STRING, "x"));
        assertThat(dup).hasMessage("metadata_kv[1].key at offset 38: duplicate key 'a'");
    }

    @Test
    void alignmentMustBeAUint32PowerOfTwo() throws IOException {
        GgufFormatException wrongType = fails(new GgufTestWriter().kv("general.alignment", UINT64, 32L));
        assertThat(wrongType.field()).isEqualTo("metadata[general.alignment]");
        assertThat(wrongType.offset()).isEqualTo(KV_START + 8 + 17 + 4);
        assertThat(wrongType.detail()).contains("UINT64");
        for (long alignment : new long[] {0, 3, 48, 0xFFFF_FFFFL}) {
            assertThat(fails(new GgufTestWriter().kv("general.alignment", UINT32, alignment)).detail())
                    .isEqualTo(alignment + " is not a power of two");
        }
    }

    @Test
    void nDimsOutOfRangeNamesTensorFieldAndOffset() throws IOException {
        GgufTestWriter w = new GgufTestWriter().tensor("a", GgmlType.F32, 4)
                .rawTensor("b", 0, 32, 4, 1, 1, 1, 1, 1, 1, 1);
        // header 24 + tensor a (9 name + 4 n_dims + 8 dim + 4 type + 8 offset) + 9 name of b
        assertThat(fails(w)).hasMessage("tensor_infos[1].n_dims at offset 66: 7 exceeds 4 (tensor 'b')");
        assertThat(fails(new GgufTestWriter().rawTensor("z", 0, 0, 4)).detail()).startsWith("0 is not at least 1");
    }

    @Test
    void dimensionsMustBePositiveAndNotOverflow() throws IOException {
        assertThat(fails(new GgufTestWriter().rawTensor("t", 0, 0, 4, 4, 0)))
                .hasMessage("tensor_infos[0].dimensions[1] at offset 45: 0 is not positive (tensor 't')");
        assertThat(fails(new GgufTestWriter().rawTensor("t", 0, 0, 4, Long.MIN_VALUE)).detail())
                .startsWith("9223372036854775808 exceeds the int64 range");
        assertThat(fails(new GgufTestWriter().rawTensor("t", 0, 0, 4, 1L << 32, 1L << 32)).detail())
                .startsWith("element count overflows");
        assertThat(fails(new GgufTestWriter().rawTensor("t", GgmlType.F64.id(), 0, 4, 1L << 61, 2)).detail())
                .startsWith("byte size overflows");
    }

    @Test
    void unknownAndRemovedGgmlTypesAreRejected() throws IOException {
        for (long id : new long[] {4, 5, 31, 36, 43, 99, 0xFFFF_FFFFL}) {
            GgufFormatException e = fails(new GgufTestWriter().rawTensor("t", (int) id, 0, 4, 1));
            assertThat(e).hasMessage("tensor_infos[0].type at offset 45: unknown ggml type " + id + " (tensor 't')");
        }
    }

    @Test
    void rowsMustBeWholeBlocks() throws IOException {
        GgufFormatException e = fails(new GgufTestWriter().rawTensor("q", GgmlType.Q4_0.id(), 0, 18, 16, 2));
        assertThat(e.field()).isEqualTo("tensor_infos[0].dimensions[0]");
        assertThat(e.detail()).isEqualTo("ne0 16 is not a multiple of the Q4_0 block size 32 (tensor 'q')");
    }

    @Test
    void misalignedOffsetsAreRejected() throws IOException {
        GgufFormatException e = fails(new GgufTestWriter().rawTensor("t", 0, 4, 16, 4));
        assertThat(e).hasMessage("tensor_infos[0].offset at offset 49: 4 is not a multiple of the alignment 32 (tensor 't')");
        GgufTestWriter custom = new GgufTestWriter().alignment(64).rawTensor("t", 0, 32, 16, 4);
        assertThat(fails(custom).detail()).startsWith("32 is not a multiple of the alignment 64");
    }

    @Test
    void tensorDataPastTheEndOfTheFileIsRejected() throws IOException {
        byte[] whole = new GgufTestWriter().tensor("a", GgmlType.F32, 8).tensor("b", GgmlType.F32, 1000).toBytes();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
        GgufFormatException e = fails(cut);
        assertThat(e.field()).isEqualTo("tensor_infos[1].offset");
        assertThat(e.detail()).contains("tensor 'b'").contains("extends past the end of the " + cut.length + "-byte file");

        GgufFormatException sparseHeaderOnly = fails(new GgufTestWriter().tensor("w", GgmlType.F16, 4096).headerOnly());
        assertThat(sparseHeaderOnly.field()).isEqualTo("tensor_infos[0].offset");
        assertThat(fails(new GgufTestWriter().rawTensor("t", 0, 1L << 62, 4, 1)).detail()).contains("beyond the end");
        assertThat(fails(new GgufTestWriter().rawTensor("t", 0, -32L, 4, 1)).detail()).startsWith("18446744073709551584");
    }

    @Test
    void duplicateTensorNamesAreRejected() throws IOException {
        GgufFormatException e = fails(new GgufTestWriter().tensor("w", GgmlType.F32, 1).tensor("x", GgmlType.F32, 1)
                .tensor("w", GgmlType.F32, 1));
        assertThat(e).hasMessage("tensor_infos[2].name at offset 90: duplicate tensor name 'w', already used by tensor_infos[0]");
    }

    @Test
    void fewerTensorInfosThanDeclaredIsATruncation() throws IOException {
        byte[] bytes = new GgufTestWriter().tensorCount(2).tensor("a", GgmlType.F32, 8).headerOnly().toBytes();
        assertThat(fails(bytes).field()).startsWith("tensor_");
    }

    @Test
    void hostileNamesAreMadePrintableInMessages() throws IOException {
        String nasty = "a\n\u0000b" + "x".repeat(500);
        GgufFormatException e = fails(new GgufTestWriter().kv(nasty, UINT8, 1).kv(nasty, UINT8, 1));
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u0000").hasSizeLessThan(200);
    }

    @Test
    void nestedArrayWriterHelperRoundTripsThroughErrorsToo() throws IOException {
        // An array of arrays whose second element lies about its type must name that element.
        GgufTestWriter w = new GgufTestWriter().kv("n", ARRAY, Arr.of(ARRAY, Arr.of(UINT8, 1)))
                .rawKv(new Bytes().str("m").u32(ARRAY.id()).u32(ARRAY.id()).u64(2).u32(UINT8.id()).u64(0).u32(77).u64(0));
        assertThat(fails(w).field()).isEqualTo("metadata[m][1].type");
    }
}
