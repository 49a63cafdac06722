package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.CorruptModelFileException;
import dev.strata.llama.GrammarException;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelFileNotFoundException;
import dev.strata.llama.ModelLoadException;
import dev.strata.llama.ModelParams;
import dev.strata.llama.NotGgufException;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import dev.strata.llama.TensorOverride;
import dev.strata.llama.UnknownArchitectureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and misuse end in typed Java exceptions; the JVM (this test run) survives all of it. */
class BadInputTest {
    private static final LlamaBackend LLAMA = LlamaBackend.get();

    private static LlamaModel load(Path p) {
        return LlamaModel.load(LLAMA, p, ModelParams.defaults(), null);
    }

    @Test
    void missingFileIsModelFileNotFound(@TempDir Path dir) {
        assertThatThrownBy(() -> load(dir.resolve("nope.gguf"))).isInstanceOf(ModelFileNotFoundException.class)
                .hasMessageContaining("nope.gguf");
    }

    @Test
    void nonGgufFileIsNotGguf(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("readme.gguf"), "this is not a model");
        assertThatThrownBy(() -> load(text)).isInstanceOf(NotGgufException.class).hasMessageContaining("GGUF");
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertThatThrownBy(() -> load(empty)).isInstanceOf(NotGgufException.class);
    }

    @Test
    void truncatedFilesAreTypedFailures(@TempDir Path dir) throws IOException {
        byte[] whole = Files.readAllBytes(TestModels.stories());
        for (int length : new int[] {4, 8, 24, 100, 1000, 20_000, whole.length / 2, whole.length - 1}) {
            Path cut = dir.resolve("cut-" + length + ".gguf");
            Files.write(cut, java.util.Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> load(cut)).as("truncated to %d bytes", length)
                    .isInstanceOf(ModelLoadException.class);
        }
        Path half = dir.resolve("cut-" + (whole.length / 2) + ".gguf");
        assertThatThrownBy(() -> load(half)).isInstanceOf(CorruptModelFileException.class);
    }

    @Test
    void corruptHeaderIsATypedFailure(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TestModels.stories());
        // tensor_count (uint64 at offset 8) set absurdly high
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(8, Long.MAX_VALUE / 3);
        Path bad = Files.write(dir.resolve("bad-count.gguf"), bytes);
        assertThatThrownBy(() -> load(bad)).isInstanceOf(CorruptModelFileException.class);

        byte[] version = Files.readAllBytes(TestModels.stories());
        ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 99);
        Path badVersion = Files.write(dir.resolve("bad-version.gguf"), version);
        assertThatThrownBy(() -> load(badVersion)).isInstanceOf(ModelLoadException.class);
    }

    @Test
    void unknownArchitectureIsNamed(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TestModels.stories());
        // "llama" appears as the general.architecture value; rename it to an equally long unknown one
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("general.architecture");
        int value = s.indexOf("llama", at);
        byte[] renamed = bytes.clone();
        System.arraycopy("zzzzz".getBytes(StandardCharsets.US_ASCII), 0, renamed, value, 5);
        Path unknown = Files.write(dir.resolve("unknown-arch.gguf"), renamed);
        assertThatThrownBy(() -> load(unknown)).isInstanceOf(UnknownArchitectureException.class)
                .hasMessageContaining("zzzzz");
    }

    @Test
    void closingTwiceIsHarmlessAndUseAfterCloseThrows() {
        LlamaModel model = load(TestModels.stories());
        LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(128));
        Sampler sampler = Sampler.create(model, SamplingParams.greedy());
        ctx.close();
        ctx.close();
        assertThatThrownBy(ctx::clearMemory).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        model.close(); // closes the sampler it still owns
        model.close();
        assertThat(sampler.isClosed()).isTrue();
        assertThatThrownBy(() -> sampler.accept(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> model.tokenize("x", true, false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LlamaContext.create(model, ContextParams.defaults()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invalidArgumentsNeverReachLlamaCpp() {
        try (LlamaModel model = load(TestModels.stories());
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(128).withSequences(2))) {
            assertThatThrownBy(() -> model.detokenize(new int[] {1, 99_999}, false, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id");
            assertThatThrownBy(() -> model.tokenPiece(-5, false)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.isEndOfGeneration(512)).isInstanceOf(IllegalArgumentException.class);

            Batch badToken = new Batch(2);
            badToken.add(70_000, 0, 0, true);
            assertThatThrownBy(() -> ctx.decode(badToken)).isInstanceOf(IllegalArgumentException.class);
            Batch badSeq = new Batch(2);
            badSeq.add(1, 0, 2, true);
            assertThatThrownBy(() -> ctx.decode(badSeq)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sequence id");
            assertThatThrownBy(() -> ctx.decode(new Batch(1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ctx.logits(7)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ctx.copySequence(0, 5, -1, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ctx.lastPosition(-3)).isInstanceOf(IllegalArgumentException.class);

            assertThatThrownBy(() -> LlamaContext.create(model, ContextParams.defaults().withContextSize(1 << 30)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n_ctx");
            assertThatThrownBy(() -> Sampler.create(model, SamplingParams.greedy().withGrammar("root ::= ((")))
                    .isInstanceOf(GrammarException.class);
            assertThatThrownBy(() -> LlamaModel.load(LLAMA, TestModels.stories(),
                    ModelParams.defaults().withTensorOverrides(List.of(new TensorOverride("(", "CPU"))), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regex");
            assertThatThrownBy(() -> LlamaModel.load(LLAMA, TestModels.stories(),
                    ModelParams.defaults().withTensorOverrides(List.of(new TensorOverride("ffn", "NoSuchDevice"))), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoSuchDevice");
        }
    }

    @Test
    void anAssertionInsideLlamaCppBecomesAnExceptionAndTheModelStaysUsable() {
        // llama.cpp 0.5.0 hits GGML_ASSERT(ggml_can_mul_mat) reserving a BERT graph for three
        // sequences; the bridge's ggml abort hook turns the abort into a failed context creation.
        try (LlamaModel bert = load(TestModels.miniLm())) {
            assertThatThrownBy(() -> LlamaContext.create(bert, ContextParams.defaults().withContextSize(512)
                    .withSequences(3).withEmbeddings(true, dev.strata.llama.Pooling.UNSPECIFIED)))
                    .isInstanceOf(dev.strata.llama.NativeAbortException.class).hasMessageContaining("GGML_ASSERT");
            try (LlamaContext ok = LlamaContext.create(bert, ContextParams.defaults().withContextSize(512)
                    .withSequences(4).withEmbeddings(true, dev.strata.llama.Pooling.UNSPECIFIED))) {
                assertThat(ok.embeddingSize()).isEqualTo(384);
            }
        }
    }

    @Test
    void progressListenerCanCancelALoad() {
        assertThatThrownBy(() -> LlamaModel.load(LLAMA, TestModels.stories(), ModelParams.defaults(), f -> false))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("cancelled");
        RuntimeException mine = new RuntimeException("listener failed");
        assertThatThrownBy(() -> LlamaModel.load(LLAMA, TestModels.stories(), ModelParams.defaults(), f -> {
            throw mine;
        })).isSameAs(mine);
    }
}
