package dev.strata.memory.gguf;

import static dev.strata.memory.gguf.GgufValueType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgufTestWriter.Arr;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    private GgufFile read(GgufTestWriter writer) throws IOException {
        return GgufFile.read(writer.writeTo(dir.resolve("t.gguf")));
    }

    @Test
    void readsEveryScalarType() throws IOException {
        GgufFile f = read(new GgufTestWriter()
                .kv("u8", UINT8, 255).kv("i8", INT8, -128).kv("u16", UINT16, 65535).kv("i16", INT16, -32768)
                .kv("u32", UINT32, 0xFFFF_FFFFL).kv("i32", INT32, Integer.MIN_VALUE)
                .kv("u64", UINT64, Long.MAX_VALUE).kv("i64", INT64, Long.MIN_VALUE)
                .kv("f32", FLOAT32, 1.5f).kv("f64", FLOAT64, Math.PI)
                .kv("t", BOOL, true).kv("f", BOOL, false).kv("s", STRING, "héllo ✓").kv("empty", STRING, ""));

        assertThat(f.getLong("u8")).isEqualTo(255);
        assertThat(f.getLong("i8")).isEqualTo(-128);
        assertThat(f.getLong("u16")).isEqualTo(65535);
        assertThat(f.getLong("i16")).isEqualTo(-32768);
        assertThat(f.getLong("u32")).isEqualTo(0xFFFF_FFFFL);
        assertThat(f.getLong("i32")).isEqualTo(Integer.MIN_VALUE);
        assertThat(f.getLong("u64")).isEqualTo(Long.MAX_VALUE);
        assertThat(f.getLong("i64")).isEqualTo(Long.MIN_VALUE);
        assertThat(f.getDouble("f32")).isEqualTo(1.5);
        assertThat(f.getDouble("f64")).isEqualTo(Math.PI);
        assertThat(f.getBoolean("t")).isTrue();
        assertThat(f.getBoolean("f")).isFalse();
        assertThat(f.getString("s")).isEqualTo("héllo ✓");
        assertThat(f.getString("empty")).isEmpty();
        assertThat(f.get("u16")).isEqualTo(new GgufValue.IntValue(UINT16, 65535));
        assertThat(f.get("f32")).isEqualTo(new GgufValue.FloatValue(FLOAT32, 1.5));
        assertThat(f.metadata().values()).extracting(GgufValue::type).containsExactly(
                UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64, FLOAT32, FLOAT64, BOOL, BOOL, STRING, STRING);
    }

    @Test
    void uint64AboveLongMaxIsKeptButNotSilentlyNegative() throws IOException {
        GgufFile f = read(new GgufTestWriter().kv("big", UINT64, -1L));
        GgufValue.IntValue v = (GgufValue.IntValue) f.get("big");
        assertThat(v.value()).isEqualTo(-1L);
        assertThat(v).hasToString("18446744073709551615");
        assertThat(f.getDouble("big")).isEqualTo(1.8446744073709552E19);
        assertThatThrownBy(() -> f.getLong("big")).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void readsArraysOfEveryElementType() throws IOException {
        GgufFile f = read(new GgufTestWriter()
                .kv("u8", ARRAY, Arr.of(UINT8, 0, 200, 255)).kv("i8", ARRAY, Arr.of(INT8, -1, 127))
                .kv("u16", ARRAY, Arr.of(UINT16, 65535, 1)).kv("i16", ARRAY, Arr.of(INT16, -2))
                .kv("u32", ARRAY, Arr.of(UINT32, 0xFFFF_FFFFL, 7L)).kv("i32", ARRAY, Arr.of(INT32, -3, 4))
                .kv("u64", ARRAY, Arr.of(UINT64, 5L, -1L)).kv("i64", ARRAY, Arr.of(INT64, Long.MIN_VALUE))
                .kv("f32", ARRAY, Arr.of(FLOAT32, 0.25f, -1f)).kv("f64", ARRAY, Arr.of(FLOAT64, 1e300))
                .kv("bool", ARRAY, Arr.of(BOOL, true, false, true))
                .kv("str", ARRAY, Arr.of(STRING, "a", "", "<0x0A>", "日本"))
                .kv("none", ARRAY, Arr.of(INT32)));

        assertThat(f.getArray("u8").toLongArray()).containsExactly(0, 200, 255);
        assertThat(f.getArray("i8").toLongArray()).containsExactly(-1, 127);
        assertThat(f.getArray("u16").toLongArray()).containsExactly(65535, 1);
        assertThat(f.getArray("i16").getLong(0)).isEqualTo(-2);
        assertThat(f.getArray("u32").toLongArray()).containsExactly(0xFFFF_FFFFL, 7);
        assertThat(f.getArray("i32").toIntArray()).containsExactly(-3, 4);
        assertThat(f.getArray("u64").getLong(0)).isEqualTo(5);
        assertThatThrownBy(() -> f.getArray("u64").getLong(1)).isInstanceOf(ArithmeticException.class);
        assertThat(f.getArray("u64").get(1)).isEqualTo(new GgufValue.IntValue(UINT64, -1L));
        assertThat(f.getArray("i64").toLongArray()).containsExactly(Long.MIN_VALUE);
        assertThat(f.getArray("f32").toFloatArray()).containsExactly(0.25f, -1f);
        assertThat(f.getArray("f64").toDoubleArray()).containsExactly(1e300);
        assertThat(f.getArray("bool").getBoolean(0)).isTrue();
        assertThat(f.getArray("bool").getBoolean(1)).isFalse();
        assertThat(f.getArray("str").toStringList()).containsExactly("a", "", "<0x0A>", "日本");
        assertThat(f.getArray("none").isEmpty()).isTrue();
        assertThat(f.getArray("none").elementType()).isEqualTo(INT32);
        assertThatThrownBy(() -> f.getArray("u32").toIntArray()).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> f.getArray("str").getLong(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.getArray("str").toStringList().set(0, "x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readsNestedArrays() throws IOException {
        Arr nested = Arr.of(ARRAY,
                Arr.of(INT32, 1, 2),
                Arr.of(STRING, "x"),
                Arr.of(ARRAY, Arr.of(FLOAT64, 0.5), Arr.of(BOOL)),
                Arr.of(UINT8));
        GgufFile f = read(new GgufTestWriter().kv("nested", ARRAY, nested).kv("after", STRING, "ok"));

        GgufArray a = f.getArray("nested");
        assertThat(a.elementType()).isEqualTo(ARRAY);
        assertThat(a.size()).isEqualTo(4);
        assertThat(a.getArray(0).toIntArray()).containsExactly(1, 2);
        assertThat(a.getArray(1).getString(0)).isEqualTo("x");
        assertThat(a.getArray(2).getArray(0).getDouble(0)).isEqualTo(0.5);
        assertThat(a.getArray(2).getArray(1).elementType()).isEqualTo(BOOL);
        assertThat(a.getArray(3).isEmpty()).isTrue();
        assertThat(f.getString("after")).isEqualTo("ok");
        assertThat(a).isEqualTo(f.getArray("nested")).hasSameHashCodeAs(f.getArray("nested"));
        assertThat(a.toString()).startsWith("ARRAY[4]{INT32[2]{1, 2}");
    }

    @Test
    void readsVersion2AndVersion3() throws IOException {
        for (int version : new int[] {2, 3}) {
            GgufFile f = read(new GgufTestWriter().version(version)
                    .kv("general.architecture", STRING, "llama").tensor("w", GgmlType.F32, 8));
            assertThat(f.version()).isEqualTo(version);
            assertThat(f.architecture()).isEqualTo("llama");
            assertThat(f.tensor("w").byteSize()).isEqualTo(32);
        }
    }

    @Test
    void metadataKeepsFileOrderAndIsUnmodifiable() throws IOException {
        GgufFile f = read(new GgufTestWriter().kv("z", UINT8, 1).kv("a", UINT8, 2).kv("m", UINT8, 3)
                .tensor("b", GgmlType.F32, 1).tensor("a", GgmlType.F32, 1));
        assertThat(f.metadata().keySet()).containsExactly("z", "a", "m");
        assertThat(f.tensors()).extracting(GgufTensorInfo::name).containsExactly("b", "a");
        assertThatThrownBy(() -> f.metadata().put("x", new GgufValue.BoolValue(true)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> f.tensors().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void typedGettersReportMissingKeysAndMismatchedTypes() throws IOException {
        GgufFile f = read(new GgufTestWriter().kv("s", STRING, "x").kv("n", INT16, 7).kv("big", INT64, 1L << 40));
        assertThat(f.findString("s")).contains("x");
        assertThat(f.findString("nope")).isEmpty();
        assertThat(f.findLong("n")).contains(7L);
        assertThat(f.getInt("n")).isEqualTo(7);
        assertThat(f.findInt("nope")).isEmpty();
        assertThat(f.getDouble("n")).isEqualTo(7.0);
        assertThat(f.containsKey("s")).isTrue();
        assertThat(f.findArray("nope")).isEmpty();
        assertThatThrownBy(() -> f.findArray("s")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.getString("nope")).isInstanceOf(NoSuchElementException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> f.getLong("s")).isInstanceOf(IllegalStateException.class).hasMessageContaining("STRING");
        assertThatThrownBy(() -> f.findBoolean("n")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.getInt("big")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(f::architecture).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> f.tensor("w")).isInstanceOf(NoSuchElementException.class);
        assertThat(f.findTensor("w")).isEmpty();
    }

    @Test
    void defaultAlignmentIs32() throws IOException {
        GgufFile f = read(new GgufTestWriter().kv("general.name", STRING, "x")
                .tensor("a", GgmlType.F32, 3).tensor("b", GgmlType.F16, 5));
        assertThat(f.alignment()).isEqualTo(32);
        assertThat(f.dataOffset() % 32).isZero();
        assertThat(f.tensor("b").offset()).isEqualTo(32);
        assertThat(f.tensorBytes()).isEqualTo(12 + 10);
        assertThat(f.dataOffset() + f.tensor("b").offset() + f.tensor("b").byteSize()).isEqualTo(f.fileSize());
    }

    @Test
    void customAlignmentPlacesDataSectionAndTensors() throws IOException {
        for (long alignment : new long[] {1, 8, 64, 4096}) {
            GgufFile f = read(new GgufTestWriter().alignment(alignment)
                    .tensor("a", GgmlType.Q8_0, 32).tensor("b", GgmlType.F32, 2, 2));
            assertThat(f.alignment()).isEqualTo(alignment);
            assertThat(f.dataOffset() % alignment).isZero();
            assertThat(f.tensor("b").offset()).isEqualTo((34 + alignment - 1) / alignment * alignment);
            assertThat(f.dataOffset() + f.tensor("b").offset() + 16).isEqualTo(f.fileSize());
        }
    }

    @Test
    void tensorsExposeShapeTypeAndSize() throws IOException {
        GgufFile f = read(new GgufTestWriter()
                .tensor("q", GgmlType.Q4_K, 512, 3).tensor("e", GgmlType.F16, 2, 3, 4, 5).tensor("x", GgmlType.MXFP4, 64));
        GgufTensorInfo q = f.tensor("q");
        assertThat(q.type()).isEqualTo(GgmlType.Q4_K);
        assertThat(q.dims()).containsExactly(512L, 3L);
        assertThat(q.nDims()).isEqualTo(2);
        assertThat(q.dim(3)).isEqualTo(1);
        assertThat(q.elementCount()).isEqualTo(1536);
        assertThat(q.byteSize()).isEqualTo(2 * 144 * 3);
        assertThat(f.tensor("e").byteSize()).isEqualTo(2 * 120);
        assertThat(f.tensor("e").dimsArray()).containsExactly(2, 3, 4, 5);
        assertThat(f.tensor("x").byteSize()).isEqualTo(2 * 17);
        assertThat(f.tensorBytes()).isEqualTo(864 + 240 + 34);
        long[] copy = q.dimsArray();
        copy[0] = 7;
        assertThat(q.dims().get(0)).isEqualTo(512L);
        assertThat(q).isEqualTo(GgufTensorInfo.of("q", GgmlType.Q4_K, 0, 512, 3));
    }

    @Test
    void fileWithoutTensorsHasEmptyDataSection() throws IOException {
        GgufFile f = read(new GgufTestWriter().kv("tokenizer.ggml.model", STRING, "gpt2"));
        assertThat(f.tensors()).isEmpty();
        assertThat(f.tensorBytes()).isZero();
        assertThat(f.dataOffset()).isLessThanOrEqualTo(f.fileSize());
    }

    @Test
    void heapCapMustBePositive() throws IOException {
        Path file = new GgufTestWriter().writeTo(dir.resolve("t.gguf"));
        assertThatThrownBy(() -> GgufFile.read(file, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(GgufFile.read(file, 1024).metadata()).isEmpty();
    }

    @Test
    void malformedUtf8DecodesWithReplacementCharacters() throws IOException {
        GgufTestWriter.Bytes pair = new GgufTestWriter.Bytes().str("k").u32(STRING.id())
                .u64(3).raw(new byte[] {'a', (byte) 0xFF, 'b'});
        GgufFile f = read(new GgufTestWriter().rawKv(pair));
        assertThat(f.getString("k")).isEqualTo("a\uFFFDb");
    }

    @Test
    void tensorInfoRecordValidatesItsInvariants() {
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.F32, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.F32, 0, 1, 1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.Q4_0, 0, 16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.F32, -32, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.F32, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.F32, 0, 1L << 62, 1L << 62))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufTensorInfo.of("t", GgmlType.F64, 0, 1L << 61))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new GgufTensorInfo("t", List.of(4L), GgmlType.F32, 0).byteSize()).isEqualTo(16);
    }
}
