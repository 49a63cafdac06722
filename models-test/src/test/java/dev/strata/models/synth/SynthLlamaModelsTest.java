package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.gguf.GgufValue.FloatValue;
import dev.strata.memory.gguf.GgufValue.IntValue;
import dev.strata.memory.gguf.GgufValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files SyntheticModels writes, read back with the project's GGUF reader. */
class SynthLlamaModelsTest {
    @TempDir
    Path dir;

    /** The llama tensors as the brief and llama.cpp's load_arch_tensors list them, ne0 first. */
    private static List<GgufTensorInfo> expectedTensors(LlamaShape s, LlamaQuant q) {
        long e = s.embeddingLength();
        long kv = (long) e / s.headCount() * s.headCountKv();
        long ff = s.feedForwardLength();
        List<GgufTensorInfo> t = new ArrayList<>();
        t.add(GgufTensorInfo.of("token_embd.weight", q.tokenEmbedding(), 0, e, s.vocabSize()));
        t.add(GgufTensorInfo.of("output_norm.weight", GgmlType.F32, 0, e));
        if (!s.tiedEmbeddings()) {
            t.add(GgufTensorInfo.of("output.weight", q.output(), 0, e, s.vocabSize()));
        }
        for (int i = 0; i < s.blockCount(); i++) {
            t.add(GgufTensorInfo.of("blk." + i + ".attn_norm.weight", GgmlType.F32, 0, e));
            t.add(GgufTensorInfo.of("blk." + i + ".attn_q.weight", q.weights(), 0, e, e));
            t.add(GgufTensorInfo.of("blk." + i + ".attn_k.weight", q.weights(), 0, e, kv));
            t.add(GgufTensorInfo.of("blk." + i + ".attn_v.weight", q.weights(), 0, e, kv));
            t.add(GgufTensorInfo.of("blk." + i + ".attn_output.weight", q.weights(), 0, e, e));
            t.add(GgufTensorInfo.of("blk." + i + ".ffn_norm.weight", GgmlType.F32, 0, e));
            t.add(GgufTensorInfo.of("blk." + i + ".ffn_gate.weight", q.weights(), 0, e, ff));
            t.add(GgufTensorInfo.of("blk." + i + ".ffn_up.weight", q.weights(), 0, e, ff));
            t.add(GgufTensorInfo.of("blk." + i + ".ffn_down.weight", q.weights(), 0, ff, e));
        }
        return t;
    }

    /** Name to (dims, type), offsets aside. */
    private static Map<String, String> shapes(List<GgufTensorInfo> tensors) {
        return tensors.stream().collect(Collectors.toMap(GgufTensorInfo::name, t -> t.dims() + " " + t.type()));
    }

    @Test
    void metadataHasTheKeysAndTypesLlamaCppReads() throws IOException {
        Path out = dir.resolve("tiny.gguf");
        LlamaShape shape = LlamaShape.tiny();
        SyntheticModels.writeLlama(out, shape, GgmlType.Q4_K, DataMode.SPARSE, 0, SynthTestModels.stories());
        GgufFile gguf = GgufFile.read(out);

        assertThat(gguf.architecture()).isEqualTo("llama");
        assertThat(gguf.getString("general.name")).isEqualTo("synthetic-tiny");
        assertThat(gguf.get("general.file_type")).isEqualTo(new IntValue(GgufValueType.UINT32, 15)); // MOSTLY_Q4_K_M
        Map<String, Long> uint32s = Map.of(
                "llama.vocab_size", 512L, "llama.context_length", 512L, "llama.embedding_length", 256L,
                "llama.block_count", 2L, "llama.feed_forward_length", 512L, "llama.attention.head_count", 4L,
                "llama.attention.head_count_kv", 2L, "llama.rope.dimension_count", 64L);
        uint32s.forEach((key, v) -> assertThat(gguf.get(key)).as(key).isEqualTo(new IntValue(GgufValueType.UINT32, v)));
        assertThat(gguf.get("llama.rope.freq_base")).isEqualTo(new FloatValue(GgufValueType.FLOAT32, 10000f));
        assertThat(gguf.get("llama.attention.layer_norm_rms_epsilon")).isEqualTo(new FloatValue(GgufValueType.FLOAT32, 1e-5f));

        GgufFile stories = GgufFile.read(SynthTestModels.stories());
        stories.metadata().forEach((key, value) -> {
            if (key.startsWith("tokenizer.")) {
                assertThat(gguf.get(key)).as(key).isEqualTo(value);
            }
        });
        assertThat(gguf.metadata().keySet().stream().filter(k -> k.startsWith("tokenizer.")).count())
                .isEqualTo(stories.metadata().keySet().stream().filter(k -> k.startsWith("tokenizer.")).count());
    }

    @Test
    void tensorsHaveLlamaCppsNamesDimsAndTypes() throws IOException {
        for (LlamaShape shape : List.of(LlamaShape.tiny(), LlamaShape.tiny().withTiedEmbeddings(true),
                LlamaShape.llama3_8b().withVocab(512))) {
            LlamaQuant quant = new LlamaQuant(GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.Q6_K);
            Path out = dir.resolve("model.gguf");
            GgufLayout layout = SyntheticModels.writeLlama(out, shape, quant, DataMode.SPARSE, 0, SynthTestModels.stories());
            GgufFile gguf = GgufFile.read(out);

            List<GgufTensorInfo> expected = expectedTensors(shape, quant);
            assertThat(shapes(gguf.tensors())).as(shape.name()).isEqualTo(shapes(expected));
            assertThat(gguf.tensors()).hasSize(2 + (shape.tiedEmbeddings() ? 0 : 1) + 9 * shape.blockCount());
            assertThat(gguf.tensors()).isEqualTo(layout.tensors());
            long bytes = expected.stream().mapToLong(GgufTensorInfo::byteSize).sum();
            assertThat(gguf.tensorBytes()).isEqualTo(bytes).isEqualTo(layout.tensorBytes());
            assertThat(gguf.tensors().stream().mapToLong(GgufTensorInfo::elementCount).sum()).isEqualTo(shape.parameterCount());
            assertThat(Files.size(out)).isEqualTo(layout.fileSize());
        }
    }

    @Test
    void sparse70bIsTensOfGigabytesLongButWrittenAtOnce() throws IOException {
        Path out = dir.resolve("llama3-70b-q4_0.gguf");
        long start = System.nanoTime();
        GgufLayout layout = SyntheticModels.writeLlama(out, LlamaShape.llama3_70b().withVocab(512), GgmlType.Q4_0,
                DataMode.SPARSE, 0, SynthTestModels.stories());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(out).exists();
        assertThat(Files.size(out)).isEqualTo(layout.fileSize()).isGreaterThan(30_000_000_000L);
        GgufFile gguf = GgufFile.read(out);
        assertThat(gguf.tensors()).hasSize(3 + 9 * 80);
        assertThat(gguf.tensorBytes()).isEqualTo(layout.tensorBytes());
        // Logged rather than asserted: timing on a shared machine is no test, but a slow write is worth seeing.
        System.out.printf("sparse 70B: %,d bytes apparent, written in %d ms%n", Files.size(out), millis);
    }

    @Test
    void theShapesVocabularyMustBeTheTokenizers() {
        assertThatThrownBy(() -> SyntheticModels.writeLlama(dir.resolve("x.gguf"), LlamaShape.llama3_8b(), GgmlType.Q4_0,
                DataMode.SPARSE, 0, SynthTestModels.stories()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("128256").hasMessageContaining("withVocab(512)");
        assertThat(dir.resolve("x.gguf")).doesNotExist();
    }

    @Test
    void namedShapesAreTheRealModels() {
        LlamaShape l8 = LlamaShape.llama3_8b();
        assertThat(List.of(l8.vocabSize(), l8.embeddingLength(), l8.blockCount(), l8.feedForwardLength(), l8.headCount(),
                l8.headCountKv(), l8.contextLength())).containsExactly(128256, 4096, 32, 14336, 32, 8, 8192);
        assertThat(l8.parameterCount()).isBetween(8_000_000_000L, 8_100_000_000L); // 8.03B
        LlamaShape l70 = LlamaShape.llama3_70b();
        assertThat(List.of(l70.vocabSize(), l70.embeddingLength(), l70.blockCount(), l70.feedForwardLength(),
                l70.headCount(), l70.headCountKv())).containsExactly(128256, 8192, 80, 28672, 64, 8);
        assertThat(l70.parameterCount()).isBetween(70_500_000_000L, 70_600_000_000L); // 70.55B
        assertThat(l70.kvEmbeddingLength()).isEqualTo(1024);
        assertThatThrownBy(() -> l8.withVocab(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LlamaShape("odd", 512, 256, 1, 512, 3, 1, 64, 1e4f, 1e-5f, false))
                .hasMessageContaining("divide");
    }
}
