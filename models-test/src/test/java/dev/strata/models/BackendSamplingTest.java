package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SampledToken;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Contexts with the bridge's greedy backend sampler on every sequence (stories260K, on the CPU backend,
 * which runs the same graph nodes a GPU would): greedy tokens come from the graph's one argmax; sequences
 * taken out of graph sampling read their rows, in the same decode; every token is what a context without
 * backend sampling gives; a row sampled in the graph cannot be read.
 */
class BackendSamplingTest {
    private static final List<String> PROMPTS = List.of("Once upon a time", "The dog", "Lily saw a big", "Tom and Sam");
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults(), null);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static LlamaContext context(boolean backendSampling) {
        return LlamaContext.create(model, ContextParams.defaults().withContextSize(1024).withSequences(PROMPTS.size())
                .withThreads(2, 2).withBackendSampling(backendSampling));
    }

    /**
     * Decodes every prompt as its own sequence in shared batches and samples each with its params: greedy
     * (sequence 0 and 2), seeded (1), greedy with logprobs (3). Returns each sequence's tokens, and for
     * sequence 3 its top-5 logprob values after them.
     */
    private static List<List<Object>> generate(LlamaContext ctx, int steps) {
        List<SamplingParams> params = List.of(SamplingParams.greedy(), SamplingParams.defaults().withSeed(5),
                SamplingParams.greedy(), SamplingParams.greedy());
        List<Sampler> samplers = params.stream().map(p -> Sampler.create(model, p)).toList();
        try {
            List<List<Object>> out = new ArrayList<>();
            int[] last = new int[PROMPTS.size()];
            int[] pos = new int[PROMPTS.size()];
            Batch batch = new Batch(256);
            for (int s = 0; s < PROMPTS.size(); s++) {
                int[] prompt = model.tokenize(PROMPTS.get(s), true, false);
                for (int i = 0; i < prompt.length; i++) {
                    int index = batch.add(prompt[i], i, s, i == prompt.length - 1);
                    if (i == prompt.length - 1) {
                        last[s] = index;
                    }
                }
                pos[s] = prompt.length;
                out.add(new ArrayList<>());
            }
            if (ctx.backendSampling()) {
                ctx.sampleInGraph(1, false); // seeded: reads its rows
                ctx.sampleInGraph(3, false); // logprobs
            }
            for (int step = 0; step < steps; step++) {
                assertThat(ctx.decode(batch)).isEqualTo(DecodeStatus.OK);
                int[] next = new int[PROMPTS.size()];
                for (int s = 0; s < PROMPTS.size(); s++) {
                    if (s == 3) {
                        SampledToken t = samplers.get(s).sampleWithLogprobs(ctx, last[s], 5);
                        next[s] = t.token();
                        out.get(s).add(t.token());
                        for (float lp : t.topLogprobs()) {
                            out.get(s).add(lp);
                        }
                    } else {
                        next[s] = samplers.get(s).sample(ctx, last[s]);
                        out.get(s).add(next[s]);
                    }
                }
                batch.clear();
                for (int s = 0; s < PROMPTS.size(); s++) {
                    last[s] = batch.add(next[s], pos[s]++, s, true);
                }
            }
            return out;
        } finally {
            samplers.forEach(Sampler::close);
        }
    }

    @Test
    void everySamplerGivesTheTokensOfAContextWithoutBackendSampling() {
        List<List<Object>> expected;
        try (LlamaContext plain = context(false)) {
            expected = generate(plain, 32);
        }
        try (LlamaContext backend = context(true)) {
            assertThat(generate(backend, 32)).isEqualTo(expected);
        }
    }

    @Test
    void aRowSampledInTheGraphIsNotReadableUntilItsSequenceIsTakenOut() {
        try (LlamaContext backend = context(true); Sampler seeded = Sampler.create(model, SamplingParams.defaults().withSeed(5))) {
            Batch batch = new Batch(8);
            batch.add(1, 0, 0, true);
            batch.add(1, 0, 1, true);
            assertThat(backend.decode(batch)).isEqualTo(DecodeStatus.OK);
            assertThatThrownBy(() -> backend.logits(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sampled greedily in the graph").hasMessageContaining("sampleInGraph");
            assertThatThrownBy(() -> seeded.sample(backend, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sequence 1");

            backend.sampleInGraph(1, false);
            backend.sampleInGraph(1, false); // no change: no second re-reserve
            batch.clear();
            batch.add(2, 1, 0, true);
            batch.add(2, 1, 1, true);
            assertThat(backend.decode(batch)).isEqualTo(DecodeStatus.OK);
            assertThat(backend.logits(1)).hasSize(model.info().vocabularySize());
            assertThat(seeded.sample(backend, 1)).isBetween(0, model.info().vocabularySize() - 1);
            assertThatThrownBy(() -> backend.logits(0)).as("sequence 0 is still sampled in the graph")
                    .isInstanceOf(IllegalArgumentException.class);

            backend.sampleInGraph(1, true); // and back, with a fresh sampler
            batch.clear();
            batch.add(3, 2, 0, true);
            batch.add(3, 2, 1, true);
            assertThat(backend.decode(batch)).isEqualTo(DecodeStatus.OK);
            assertThatThrownBy(() -> backend.logits(1)).isInstanceOf(IllegalArgumentException.class);
        }
        try (LlamaContext plain = context(false)) {
            assertThatThrownBy(() -> plain.sampleInGraph(0, false)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no backend sampling");
        }
    }

    @Test
    void aSecondOutputOfOneSequenceIsRefusedWithAMessage() {
        try (LlamaContext backend = context(true)) {
            Batch batch = new Batch(8);
            batch.add(1, 0, 0, true);
            batch.add(2, 1, 0, true);
            assertThatThrownBy(() -> backend.decode(batch)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than one output");
        }
    }

    @Test
    void computeBuffersWithAndWithout() {
        for (boolean on : new boolean[] {false, true}) {
            try (LlamaContext ctx = context(on)) {
                for (MemoryBreakdown.Buffer e : ctx.memoryBreakdown().buffers()) {
                    System.out.println("backend sampling " + on + ": " + e);
                }
            }
        }
    }
}
