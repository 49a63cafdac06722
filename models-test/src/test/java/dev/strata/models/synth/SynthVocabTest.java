package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgufArray;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.models.synth.arch.Gemma2;
import dev.strata.models.synth.arch.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Borrowed tokenizers: where they are found, and how they are padded to a checkpoint's vocab_size. */
class SynthVocabTest {
    @TempDir
    Path dir;

    @Test
    void theNativeBuildsRecordLeadsToLlamaCppsVocabFiles() {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        for (ModelSpec spec : Zoo.all()) {
            assertThat(vocabs.file(spec.vocab())).as(spec.name()).isRegularFile();
        }
    }

    @Test
    void aPropertyNamingNoDirectoryIsRefusedWithItsName() {
        String old = System.getProperty(LlamaVocabs.DIR_PROPERTY);
        System.setProperty(LlamaVocabs.DIR_PROPERTY, dir.resolve("nothing-here").toString());
        try {
            assertThatThrownBy(LlamaVocabs::locate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(LlamaVocabs.DIR_PROPERTY).hasMessageContaining("nothing-here");
        } finally {
            if (old == null) {
                System.clearProperty(LlamaVocabs.DIR_PROPERTY);
            } else {
                System.setProperty(LlamaVocabs.DIR_PROPERTY, old);
            }
        }
    }

    /** As convert_hf_to_gguf pads a BPE vocabulary: [PAD<id>] tokens of type UNUSED, merges untouched. */
    @Test
    void aBpeVocabularyIsPaddedToTheModelsTokenCount() throws IOException {
        GgufFile qwen2 = LlamaVocabs.locate().read("qwen2");
        Path out = dir.resolve("qwen.gguf");
        SyntheticModels.write(out, Zoo.qwen25_7b().withName("padded"), QuantMix.Q4_0, qwen2, DataMode.SPARSE, 0);
        GgufFile written = GgufFile.read(out);

        GgufArray tokens = written.getArray(VocabPadding.TOKENS);
        GgufArray types = written.getArray(VocabPadding.TOKEN_TYPES);
        assertThat(tokens.size()).isEqualTo(152064);
        assertThat(types.size()).isEqualTo(152064);
        assertThat(tokens.getString(151935)).isEqualTo(qwen2.getArray(VocabPadding.TOKENS).getString(151935));
        assertThat(tokens.getString(151936)).isEqualTo("[PAD151936]");
        assertThat(tokens.getString(152063)).isEqualTo("[PAD152063]");
        assertThat(types.getLong(152063)).isEqualTo(VocabPadding.TYPE_UNUSED);
        assertThat(written.get("tokenizer.ggml.merges")).isEqualTo(qwen2.get("tokenizer.ggml.merges"));
        assertThat(written.tensor("token_embd.weight").dims()).containsExactly(3584L, 152064L);
    }

    @Test
    void aSentencePieceVocabularyGetsScoresForItsPadding() throws IOException {
        Path out = dir.resolve("mistral.gguf");
        SyntheticModels.write(out, Zoo.mistral7b_v03(), QuantMix.Q4_0, LlamaVocabs.locate(), DataMode.SPARSE, 0);
        GgufFile written = GgufFile.read(out);
        GgufArray scores = written.getArray(VocabPadding.SCORES);
        assertThat(scores.size()).isEqualTo(32768);
        assertThat(scores.getDouble(32767)).isEqualTo(VocabPadding.PAD_SCORE);
    }

    @Test
    void aVocabularyLargerThanTheModelIsRefused() throws IOException {
        GgufFile gemma = LlamaVocabs.locate().read("gemma-4");
        ModelSpec tooFew = Gemma2.spec(new Gemma2.Config(
                "gemma-2-9b-real-vocab", "gemma-4", 256000, 8192, 3584, 1, 14336, 16, 8, 256, 4096, 50f, 30f, 1e4f, 1e-6f));
        assertThatThrownBy(() -> SyntheticModels.writer(tooFew, QuantMix.Q8_0, gemma))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("262144").hasMessageContaining("256000");
    }
}
