package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelInfo;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Synthetic models through llama.cpp itself: the dry run sizes them, a real load runs them. */
class SynthLlamaCppTest {
    private static final int VOCAB = 512; // stories260K's tokenizer

    @TempDir
    Path dir;

    private static MemoryBreakdown dryRun(Path file, ModelInfo[] info) {
        ModelParams params = ModelParams.defaults().withNoAlloc(true).withMmap(false, false);
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, params, null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(256))) {
            info[0] = model.info();
            return ctx.memoryBreakdown();
        }
    }

    @Test
    void dryRunOfTheSparse8bSizesItsWeightsAsTheFileDeclaresThem() throws IOException {
        Path file = dir.resolve("llama3-8b-q4_0.gguf");
        SyntheticModels.writeLlama(file, LlamaShape.llama3_8b().withVocab(VOCAB), GgmlType.Q4_0, DataMode.SPARSE, 0,
                SynthTestModels.stories());
        long tensorBytes = GgufFile.read(file).tensorBytes();

        ModelInfo[] info = new ModelInfo[1];
        MemoryBreakdown mb = dryRun(file, info);

        assertThat((double) mb.modelBytes()).isCloseTo(tensorBytes, within(tensorBytes * 0.01));
        assertThat(info[0].architecture()).isEqualTo("llama");
        assertThat(info[0].layerCount()).isEqualTo(32);
        assertThat(info[0].embeddingSize()).isEqualTo(4096);
        assertThat(info[0].headCount()).isEqualTo(32);
        assertThat(info[0].kvHeadCount()).isEqualTo(8);
        assertThat(info[0].vocabularySize()).isEqualTo(VOCAB);
        assertThat(info[0].parameterCount()).isEqualTo(LlamaShape.llama3_8b().withVocab(VOCAB).parameterCount());
    }

    @Test
    void dryRunOfTheSparse70bInAKQuant() throws IOException {
        Path file = dir.resolve("llama3-70b-q4_k.gguf");
        LlamaQuant q4km = new LlamaQuant(GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q6_K);
        SyntheticModels.writeLlama(file, LlamaShape.llama3_70b().withVocab(VOCAB), q4km, DataMode.SPARSE, 0,
                SynthTestModels.stories());
        long tensorBytes = GgufFile.read(file).tensorBytes();

        ModelInfo[] info = new ModelInfo[1];
        MemoryBreakdown mb = dryRun(file, info);

        assertThat((double) mb.modelBytes()).isCloseTo(tensorBytes, within(tensorBytes * 0.01));
        assertThat(info[0].layerCount()).isEqualTo(80);
        assertThat(info[0].description()).contains("70B");
    }

    /**
     * Every type with random data, through a real CPU load and a few decode steps: a scale written
     * at the wrong place in a block would decode as infinity or NaN somewhere and poison the logits.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0"})
    void randomTinyModelLoadsAndGenerates(GgmlType type) throws IOException {
        Path file = dir.resolve("tiny-" + type + ".gguf");
        SyntheticModels.writeLlama(file, LlamaShape.tiny(), type, DataMode.RANDOM, 42, SynthTestModels.stories());

        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, ModelParams.defaults().withMmap(false, false), null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(128))) {
            assertThat(model.info().vocabularySize()).isEqualTo(VOCAB);
            List<Integer> tokens = generate(model, ctx, "Once upon a time", 8);
            assertThat(tokens).hasSize(8).allSatisfy(t -> assertThat(t).isBetween(0, VOCAB - 1));
        }
    }

    /** Greedy decoding; checks the logits of every step are finite. Never stops early: EOS is just a token here. */
    private static List<Integer> generate(LlamaModel model, LlamaContext ctx, String prompt, int count) {
        int[] prompted = model.tokenize(prompt, true, false);
        Batch batch = new Batch(prompted.length);
        for (int i = 0; i < prompted.length; i++) {
            batch.add(prompted[i], i, 0, i == prompted.length - 1);
        }
        assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
        int last = prompted.length - 1;
        List<Integer> out = new ArrayList<>();
        try (Sampler sampler = Sampler.create(model, SamplingParams.greedy())) {
            for (int pos = prompted.length; out.size() < count; pos++) {
                float[] logits = ctx.logits(last);
                assertThat(logits).as("logits at position %d", pos).hasSize(VOCAB);
                for (int i = 0; i < logits.length; i++) {
                    assertThat(Float.isFinite(logits[i])).as("logit %d at position %d is %s", i, pos, logits[i]).isTrue();
                }
                int next = sampler.sample(ctx, last);
                out.add(next);
                batch.clear();
                last = batch.add(next, pos, 0, true);
                assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
            }
        }
        return out;
    }
}
