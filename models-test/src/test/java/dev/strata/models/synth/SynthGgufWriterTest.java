package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufArray;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValue.BoolValue;
import dev.strata.memory.gguf.GgufValue.FloatValue;
import dev.strata.memory.gguf.GgufValue.IntValue;
import dev.strata.memory.gguf.GgufValue.StringValue;
import dev.strata.memory.gguf.GgufValueType;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GgufWriter against the project's own GGUF reader, and against a file ggml wrote. */
class SynthGgufWriterTest {
    @TempDir
    Path dir;

    private static GgufWriter everyScalarType() {
        return new GgufWriter()
                .put("u8", new IntValue(GgufValueType.UINT8, 255))
                .put("i8", new IntValue(GgufValueType.INT8, -128))
                .put("u16", new IntValue(GgufValueType.UINT16, 65535))
                .put("i16", new IntValue(GgufValueType.INT16, -32768))
                .putUint32("u32", 4294967295L)
                .putInt32("i32", Integer.MIN_VALUE)
                .putFloat32("f32", 1e-5f)
                .putBool("bool", true)
                .putString("str", "llama \u00e9\u4e2d\ud83e\udd99")
                .putUint64("u64", -1L) // 2^64 - 1 as raw bits
                .put("i64", new IntValue(GgufValueType.INT64, Long.MIN_VALUE))
                .put("f64", new FloatValue(GgufValueType.FLOAT64, Math.PI))
                .putString("empty", "");
    }

    @Test
    void scalarsAndArraysReadBackAsWritten() throws IOException {
        GgufWriter w = everyScalarType()
                .putStrings("strings", List.of("<unk>", "", "\u2581the"))
                .putInt32s("ints", 1, -2, Integer.MAX_VALUE)
                .putFloat32s("floats", 0f, -1.5f, Float.MAX_VALUE)
                .putArray("u64s", GgufValueType.UINT64, List.of(new IntValue(GgufValueType.UINT64, -1L)))
                .putArray("bools", GgufValueType.BOOL, List.of(new BoolValue(true), new BoolValue(false)))
                .putArray("f64s", GgufValueType.FLOAT64, List.of(new FloatValue(GgufValueType.FLOAT64, 1e300)))
                .putArray("none", GgufValueType.INT16, List.of());
        Path file = dir.resolve("values.gguf");
        GgufLayout layout = w.write(file, DataMode.SPARSE, 0);

        GgufFile gguf = GgufFile.read(file);
        assertThat(gguf.version()).isEqualTo(3);
        assertThat(gguf.tensors()).isEmpty();
        assertThat(layout.tensorBytes()).isZero();
        Map<String, GgufValue> m = gguf.metadata();
        assertThat(m.keySet()).containsExactly("u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "u64", "i64",
                "f64", "empty", "strings", "ints", "floats", "u64s", "bools", "f64s", "none");
        assertThat(m.get("u8")).isEqualTo(new IntValue(GgufValueType.UINT8, 255));
        assertThat(m.get("i16")).isEqualTo(new IntValue(GgufValueType.INT16, -32768));
        assertThat(m.get("u32")).isEqualTo(new IntValue(GgufValueType.UINT32, 4294967295L));
        assertThat(m.get("f32")).isEqualTo(new FloatValue(GgufValueType.FLOAT32, 1e-5f));
        assertThat(m.get("bool")).isEqualTo(new BoolValue(true));
        assertThat(m.get("str")).isEqualTo(new StringValue("llama \u00e9\u4e2d\ud83e\udd99"));
        assertThat(m.get("u64")).isEqualTo(new IntValue(GgufValueType.UINT64, -1L));
        assertThat(m.get("i64")).isEqualTo(new IntValue(GgufValueType.INT64, Long.MIN_VALUE));
        assertThat(m.get("f64")).isEqualTo(new FloatValue(GgufValueType.FLOAT64, Math.PI));
        assertThat(gguf.getString("empty")).isEmpty();
        assertThat(gguf.getArray("strings").toStringList()).containsExactly("<unk>", "", "\u2581the");
        assertThat(gguf.getArray("ints").toIntArray()).containsExactly(1, -2, Integer.MAX_VALUE);
        assertThat(gguf.getArray("floats").toFloatArray()).containsExactly(0f, -1.5f, Float.MAX_VALUE);
        assertThat(gguf.getArray("u64s").get(0)).isEqualTo(new IntValue(GgufValueType.UINT64, -1L));
        assertThat(gguf.getArray("bools").getBoolean(1)).isFalse();
        assertThat(gguf.getArray("f64s").getDouble(0)).isEqualTo(1e300);
        assertThat(gguf.getArray("none").elementType()).isEqualTo(GgufValueType.INT16);
        assertThat(gguf.getArray("none").isEmpty()).isTrue();
    }

    @Test
    void copiedMetadataIsEqualInValueAndOrderNestedArraysIncluded() throws IOException {
        Path first = dir.resolve("first.gguf");
        everyScalarType().putStrings("strings", List.of("a", "b")).putInt32s("ints", 7).write(first, DataMode.SPARSE, 0);
        GgufFile read = GgufFile.read(first);
        // Nested arrays can only be made from read arrays: GgufArray has no public constructor.
        GgufArray strings = read.getArray("strings");
        GgufArray ints = read.getArray("ints");

        Path second = dir.resolve("second.gguf");
        new GgufWriter().copyMetadata(read, key -> true)
                .putArray("nested", GgufValueType.ARRAY, List.of(strings, ints))
                .write(second, DataMode.SPARSE, 0);
        GgufFile copy = GgufFile.read(second);

        assertThat(new ArrayList<>(copy.metadata().entrySet()).subList(0, read.metadata().size()))
                .containsExactlyElementsOf(read.metadata().entrySet());
        GgufArray nested = copy.getArray("nested");
        assertThat(nested.elementType()).isEqualTo(GgufValueType.ARRAY);
        assertThat(nested.getArray(0)).isEqualTo(strings);
        assertThat(nested.getArray(1)).isEqualTo(ints);
    }

    @Test
    void rewritingAGgmlFileReproducesItsHeaderByteForByte() throws IOException {
        Path stories = SynthTestModels.stories();
        GgufFile real = GgufFile.read(stories);
        GgufWriter w = new GgufWriter().copyMetadata(real, key -> true);
        for (GgufTensorInfo t : real.tensors()) {
            w.addTensor(t.name(), t.type(), t.dimsArray());
        }
        Path file = dir.resolve("stories-copy.gguf");
        GgufLayout layout = w.write(file, DataMode.SPARSE, 0);

        GgufFile copy = GgufFile.read(file);
        assertThat(copy.metadata()).isEqualTo(real.metadata());
        assertThat(copy.tensors()).isEqualTo(real.tensors());
        assertThat(layout.tensors()).isEqualTo(real.tensors());
        assertThat(copy.tensorBytes()).isEqualTo(real.tensorBytes()).isEqualTo(layout.tensorBytes());
        assertThat(layout.dataOffset()).isEqualTo(real.dataOffset());
        assertThat(Files.size(file)).isEqualTo(real.fileSize()).isEqualTo(layout.fileSize());
        assertThat(prefix(file, real.dataOffset())).isEqualTo(prefix(stories, real.dataOffset()));
    }

    @Test
    void tensorsFollowEachOtherAtTheAlignment() throws IOException {
        GgufWriter w = new GgufWriter().putUint32(GgufWriter.ALIGNMENT_KEY, 64)
                .addTensor("a", GgmlType.F32, 3)                 // 12 bytes
                .addTensor("b", GgmlType.Q4_0, 32, 3)            // 54 bytes
                .addTensor("c", GgmlType.Q6_K, 256, 2, 2)        // 840 bytes
                .addTensor("d", GgmlType.F16, 5, 1, 1, 1);       // 10 bytes
        Path file = dir.resolve("aligned.gguf");
        GgufLayout layout = w.write(file, DataMode.RANDOM, 1);
        GgufFile gguf = GgufFile.read(file);

        assertThat(gguf.alignment()).isEqualTo(64).isEqualTo(layout.alignment());
        assertThat(gguf.dataOffset()).isEqualTo(layout.dataOffset()).isEqualTo(gguf.dataOffset() / 64 * 64);
        assertThat(gguf.tensors()).extracting(GgufTensorInfo::offset).containsExactly(0L, 64L, 128L, 1024L);
        assertThat(gguf.tensors()).isEqualTo(layout.tensors());
        assertThat(gguf.tensor("c").dims()).containsExactly(256L, 2L, 2L);
        assertThat(gguf.tensorBytes()).isEqualTo(12 + 54 + 840 + 10).isEqualTo(layout.tensorBytes());
        assertThat(Files.size(file)).isEqualTo(layout.dataOffset() + 1024 + 64).isEqualTo(layout.fileSize());
    }

    @Test
    void sparseDataReadsAsZerosEvenOverAnOlderFile() throws IOException {
        Path file = dir.resolve("reused.gguf");
        GgufWriter w = new GgufWriter().addTensor("w", GgmlType.Q8_0, 4096, 64);
        w.write(file, DataMode.RANDOM, 3);
        GgufLayout layout = w.write(file, DataMode.SPARSE, 0);

        assertThat(Files.size(file)).isEqualTo(layout.fileSize());
        byte[] data = Files.readAllBytes(file);
        for (long i = layout.dataOffset(); i < data.length; i++) {
            assertThat(data[(int) i]).as("byte %d", i).isZero();
        }
    }

    @Test
    void randomDataIsSeededAndWithinItsRange() throws IOException {
        GgufWriter w = new GgufWriter()
                .addTensor("f32", GgmlType.F32, new RandomFill(1f, 0.25f), 1000)
                .addTensor("f16", GgmlType.F16, 1000)
                .addTensor("bf16", GgmlType.BF16, 1000);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        GgufLayout layout = w.write(a, DataMode.RANDOM, 7);
        w.write(b, DataMode.RANDOM, 7);
        w.write(c, DataMode.RANDOM, 8);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b)).isNotEqualTo(Files.readAllBytes(c));

        ByteBuffer data = data(a, layout);
        for (int i = 0; i < 1000; i++) {
            assertThat(data.getFloat(i * 4)).isBetween(0.75f, 1.25f);
            assertThat(Fp16.toFloat(data.getShort((int) layout.tensors().get(1).offset() + 2 * i))).isBetween(-0.05f, 0.05f);
            float bf16 = Float.intBitsToFloat(data.getShort((int) layout.tensors().get(2).offset() + 2 * i) << 16);
            assertThat(bf16).isBetween(-0.05f, 0.05f);
        }
    }

    @Test
    void randomBlocksHaveSmallFiniteScalesWhereGgmlReadsThem() throws IOException {
        for (GgmlType type : GgmlType.values()) {
            BlockScales scales = BlockScales.of(type).orElse(null);
            if (scales == null) {
                continue;
            }
            GgufWriter w = new GgufWriter().addTensor("w", type, 512, 8);
            Path file = dir.resolve(type + ".gguf");
            GgufLayout layout = w.write(file, DataMode.RANDOM, 11);
            ByteBuffer data = data(file, layout);
            long blocks = 512L * 8 / type.blockSize();
            float max = RandomFill.WEIGHTS.spread() / scales.maxQuantFactor();
            for (int b = 0; b < blocks; b++) {
                for (int off : scales.halfOffsets()) {
                    float scale = Math.abs(Fp16.toFloat(data.getShort(b * type.typeSize() + off)));
                    assertThat(scale).as("%s block %d scale at %d", type, b, off)
                            .isGreaterThanOrEqualTo(max * 0.49f).isLessThanOrEqualTo(max * 1.01f);
                }
            }
        }
    }

    @Test
    void randomModeRefusesTypesWithoutAKnownScaleLayoutButSparseWritesThem() throws IOException {
        GgufWriter w = new GgufWriter().addTensor("grid", GgmlType.IQ2_XXS, 256, 4);
        Path file = dir.resolve("iq2.gguf");
        assertThatThrownBy(() -> w.write(file, DataMode.RANDOM, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IQ2_XXS");
        assertThat(file).doesNotExist();
        assertThat(w.write(file, DataMode.SPARSE, 0).tensorBytes()).isEqualTo(GgmlType.IQ2_XXS.byteSize(1024));
    }

    @Test
    void rejectsWhatGgmlWouldReject() {
        GgufWriter w = new GgufWriter().addTensor("x", GgmlType.F32, 4);
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, 4)).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> w.addTensor("n".repeat(64), GgmlType.F32, 4)).hasMessageContaining("63 bytes");
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q4_0, 16, 2)).hasMessageContaining("block size");
        assertThatThrownBy(() -> w.addTensor("five", GgmlType.F32, 1, 1, 1, 1, 1)).hasMessageContaining("dimensions");
        assertThatThrownBy(() -> w.putInt32(GgufWriter.ALIGNMENT_KEY, 32)).hasMessageContaining("UINT32");
        assertThatThrownBy(() -> w.putUint32(GgufWriter.ALIGNMENT_KEY, 48)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.putArray("mixed", GgufValueType.INT32, List.of(new IntValue(GgufValueType.UINT32, 1))))
                .hasMessageContaining("mixed[0] is UINT32");
        assertThatThrownBy(() -> w.putString("", "x")).hasMessageContaining("empty");
    }

    private static byte[] prefix(Path file, long length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(Math.toIntExact(length));
        }
    }

    private static ByteBuffer data(Path file, GgufLayout layout) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[Math.toIntExact(layout.dataBytes())];
            raf.seek(layout.dataOffset());
            raf.readFully(bytes);
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
