package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several sequences decoded in one batch, and per-sequence KV operations. */
class SequencesTest {
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults(), null);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Greedy tokens for each prompt, all sequences advancing together in one batch per step. */
    private static List<List<Integer>> generateTogether(LlamaContext ctx, String[] prompts, int steps) {
        Batch batch = new Batch(ctx.batchSize());
        int[] last = new int[prompts.length];
        int[] pos = new int[prompts.length];
        for (int s = 0; s < prompts.length; s++) {
            int[] tokens = model.tokenize(prompts[s], true, false);
            for (int i = 0; i < tokens.length; i++) {
                int idx = batch.add(tokens[i], i, s, i == tokens.length - 1);
                if (i == tokens.length - 1) {
                    last[s] = idx;
                }
            }
            pos[s] = tokens.length;
        }
        assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
        List<List<Integer>> out = new ArrayList<>();
        List<Sampler> samplers = new ArrayList<>();
        for (int s = 0; s < prompts.length; s++) {
            out.add(new ArrayList<>());
            samplers.add(Sampler.create(model, SamplingParams.greedy()));
        }
        for (int step = 0; step < steps; step++) {
            int[] next = new int[prompts.length];
            for (int s = 0; s < prompts.length; s++) {
                next[s] = samplers.get(s).sample(ctx, last[s]);
                out.get(s).add(next[s]);
            }
            batch.clear();
            for (int s = 0; s < prompts.length; s++) {
                last[s] = batch.add(next[s], pos[s]++, s, true);
            }
            assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
        }
        samplers.forEach(Sampler::close);
        return out;
    }

    @Test
    void sequencesInOneBatchMatchEachRunAlone() {
        String[] prompts = {"Once upon a time", "Tom had a dog", "The sun was"};
        List<List<Integer>> together;
        try (LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(1024).withSequences(3))) {
            together = generateTogether(ctx, prompts, 20);
        }
        for (int s = 0; s < prompts.length; s++) {
            try (LlamaContext alone = LlamaContext.create(model, ContextParams.defaults().withContextSize(1024))) {
                List<Integer> single = generateTogether(alone, new String[] {prompts[s]}, 20).get(0);
                assertThat(together.get(s)).as("sequence %d", s).isEqualTo(single);
            }
        }
    }

    @Test
    void kvOperationsCopyRemoveAndKeepSequences() {
        try (LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(512).withSequences(2))) {
            int[] tokens = model.tokenize("Once upon a time", true, false);
            Batch batch = new Batch(16);
            for (int i = 0; i < tokens.length; i++) {
                batch.add(tokens[i], i, 0, false);
            }
            assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
            assertThat(ctx.lastPosition(0)).isEqualTo(tokens.length - 1);
            assertThat(ctx.lastPosition(1)).isEqualTo(-1);

            ctx.copySequence(0, 1, -1, -1);
            assertThat(ctx.lastPosition(1)).isEqualTo(tokens.length - 1);

            assertThat(ctx.removeTokens(1, 2, -1)).isTrue();
            assertThat(ctx.lastPosition(1)).isEqualTo(1);

            ctx.keepOnly(1);
            assertThat(ctx.lastPosition(0)).isEqualTo(-1);
            assertThat(ctx.lastPosition(1)).isEqualTo(1);

            ctx.clearMemory();
            assertThat(ctx.lastPosition(1)).isEqualTo(-1);
        }
    }

    @Test
    void requestedAbortStopsTheDecodeAndClearingItLetsTheNextOneRun() {
        try (LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(256))) {
            int[] tokens = model.tokenize("Once upon a time", true, false);
            Batch batch = new Batch(16);
            for (int i = 0; i < tokens.length; i++) {
                batch.add(tokens[i], i, 0, i == tokens.length - 1);
            }
            ctx.requestAbort();
            assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.ABORTED);
            ctx.clearAbort();
            ctx.clearMemory();
            assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
            assertThat(ctx.lastPosition(0)).isEqualTo(tokens.length - 1);
        }
    }
}
