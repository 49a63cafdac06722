package dev.strata.memory.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads the real models in {@code shared/models} beside the project root. Expected layouts were
 * cross-checked with llama.cpp's gguf-py reader. Missing models fail the test: they are part of the
 * test fixture, and skipping would hide a broken checkout.
 */
public class GgufRealModelsTest {

    /** The build's {@code strata.models.dir} if it exists, else the first {@code shared/models} up from here. */
    public static Path modelsDir() {
        String configured = System.getProperty("strata.models.dir", "");
        if (!configured.isBlank() && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("models");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return fail("test models not found: strata.models.dir is '%s' and there is no shared/models in %s or any"
                + " parent; they belong in ../shared/models beside the project root", configured, start);
    }

    static Path model(String name) {
        Path file = modelsDir().resolve(name);
        if (!Files.isRegularFile(file)) {
            fail("test model %s is missing", file);
        }
        return file;
    }

    @Test
    void stories260K() throws IOException {
        GgufFile f = GgufFile.read(model("stories260K.gguf"));
        assertThat(f.version()).isEqualTo(3);
        assertThat(f.architecture()).isEqualTo("llama");
        assertThat(f.getLong("llama.block_count")).isEqualTo(5);
        assertThat(f.getInt("llama.context_length")).isEqualTo(2048);
        assertThat(f.getLong("llama.embedding_length")).isEqualTo(64);
        assertThat(f.getDouble("llama.attention.layer_norm_rms_epsilon")).isCloseTo(1e-5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(f.getArray("tokenizer.ggml.tokens").size()).isEqualTo(512);
        assertThat(f.getArray("tokenizer.ggml.scores").elementType()).isEqualTo(GgufValueType.FLOAT32);
        assertThat(f.alignment()).isEqualTo(32);
        assertThat(f.tensors()).hasSize(48).allSatisfy(t -> assertThat(t.type()).isEqualTo(GgmlType.F32));
        assertThat(f.tensor("token_embd.weight").dims()).containsExactly(64L, 512L);
        assertThat(f.dataOffset()).isEqualTo(14176);
        assertThat(f.tensorBytes()).isEqualTo(1_171_200);
        assertLayoutFits(f);
    }

    @Test
    void allMiniLmQ8() throws IOException {
        GgufFile f = GgufFile.read(model("all-MiniLM-L6-v2-Q8_0.gguf"));
        assertThat(f.architecture()).isEqualTo("bert");
        assertThat(f.getLong("bert.block_count")).isEqualTo(6);
        assertThat(f.getLong("bert.embedding_length")).isEqualTo(384);
        assertThat(f.getBoolean("bert.attention.causal")).isFalse();
        assertThat(f.getArray("tokenizer.ggml.tokens").size()).isEqualTo(30522);
        assertThat(f.tensors()).hasSize(101);
        GgufTensorInfo emb = f.tensor("token_embd.weight");
        assertThat(emb.type()).isEqualTo(GgmlType.Q8_0);
        assertThat(emb.dims()).containsExactly(384L, 30522L);
        assertThat(emb.byteSize()).isEqualTo(384L * 30522 / 32 * 34);
        assertThat(f.dataOffset()).isEqualTo(633_472);
        assertThat(f.tensorBytes()).isEqualTo(24_068_208);
        assertLayoutFits(f);
    }

    @Test
    void everyModelInTheDirectoryReadsAndFits() throws IOException {
        List<Path> models;
        try (Stream<Path> files = Files.list(modelsDir())) {
            models = files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
        assertThat(models).extracting(p -> p.getFileName().toString())
                .contains("stories260K.gguf", "all-MiniLM-L6-v2-Q8_0.gguf");
        for (Path model : models) {
            GgufFile f = GgufFile.read(model);
            assertThat(f.architecture()).as(model.toString()).isNotBlank();
            assertLayoutFits(f);
        }
    }

    private static void assertLayoutFits(GgufFile f) {
        assertThat(f.fileSize()).isPositive();
        assertThat(f.dataOffset() % f.alignment()).isZero();
        assertThat(f.dataOffset() + f.tensorBytes()).isLessThanOrEqualTo(f.fileSize());
        long dataSection = f.fileSize() - f.dataOffset();
        assertThat((double) f.tensorBytes()).as("tensor bytes vs data section of %s", f)
                .isBetween(dataSection * 0.99, (double) dataSection);
        for (GgufTensorInfo t : f.tensors()) {
            assertThat(f.dataOffset() + t.offset() + t.byteSize()).as(t.name()).isLessThanOrEqualTo(f.fileSize());
        }
    }
}
