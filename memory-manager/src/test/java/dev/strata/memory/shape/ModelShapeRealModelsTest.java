package dev.strata.memory.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.strata.memory.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Shapes of the shared test models; the numbers were checked against llama.cpp's gguf-py reader. */
class ModelShapeRealModelsTest {

    private static ModelShape shape(String name) throws IOException {
        String configured = System.getProperty("strata.models.dir", "");
        Path dir = configured.isBlank() ? Path.of("..", "..", "shared", "models") : Path.of(configured);
        Path file = dir.resolve(name).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            fail("test model %s is missing: the tests need ../shared/models beside the project root", file);
        }
        return ModelShape.of(GgufFile.read(file));
    }

    @Test
    void stories260K() throws IOException {
        ModelShape s = shape("stories260K.gguf");

        assertThat(s.architecture()).isEqualTo("llama");
        assertThat(s.layerCount()).isEqualTo(5);
        assertThat(s.warnings()).isEmpty();
        assertThat(s.tokenEmbeddingBytes()).isEqualTo(64 * 512 * 4);
        assertThat(s.outputBytes()).isEqualTo(64 * 512 * 4);
        assertThat(s.outputNormBytes()).isEqualTo(64 * 4);
        // q 64x64, k and v 64x32, output 64x64; gate, up, down 64x172; two norms; all F32
        assertThat(s.layers()).allSatisfy(l -> {
            assertThat(l.attention()).isEqualTo((2 * 64 * 64 + 2 * 64 * 32) * 4);
            assertThat(l.ffn()).isEqualTo(3 * 64 * 172 * 4);
            assertThat(l.normsOther()).isEqualTo(2 * 64 * 4);
        });
        // 4 KV heads of 64 / 8 = 8
        assertThat(s.attention().layers()).containsOnly(new AttentionLayer(4, 8, 8, false, true));
        assertThat(s.contextLengthTrain()).isEqualTo(2048);
    }

    @Test
    void stories260KMoe() throws IOException {
        ModelShape s = shape("stories260K-moe4x2.gguf");

        assertThat(s.expertCount()).isEqualTo(4);
        assertThat(s.expertUsedCount()).isEqualTo(2);
        assertThat(s.layers()).allSatisfy(l -> {
            assertThat(l.experts()).isEqualTo(3 * 64 * 172 * 4 * 4);
            assertThat(l.ffn()).isZero();
            assertThat(l.normsOther()).isEqualTo(2 * 64 * 4 + 64 * 4 * 4); // norms and the router
        });
    }

    @Test
    void miniLm() throws IOException {
        ModelShape s = shape("all-MiniLM-L6-v2-Q8_0.gguf");

        assertThat(s.architecture()).isEqualTo("bert");
        assertThat(s.attention().memory()).isEqualTo(MemoryKind.NONE);
        assertThat(s.attention().causal()).isFalse();
        assertThat(s.tiedOutput()).isFalse();
        assertThat(s.outputBytes()).isZero();
        // token_embd_norm is created for layer 0 ("do the norms on the first layer")
        assertThat(s.tensor("token_embd_norm.weight").orElseThrow().layer()).isZero();
        assertThat(s.tensors().stream().filter(t -> t.placement() == TensorPlacement.INPUT).map(WeightTensor::name))
                .containsExactlyInAnyOrder("token_embd.weight", "token_types.weight", "position_embd.weight");
    }
}
