package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SamplingParams;
import dev.strata.models.TestModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.load.ContextLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's default, greedy tokens from the graph's argmax ({@link LoadOptions#backendSampling()}),
 * against the same model loaded without it: greedy, seeded, grammar and logprob requests running in the
 * same steps produce the same tokens either way.
 */
class BackendSamplingModelTest {
    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = Engine.create();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static List<GenerationRequest> mixed() {
        List<GenerationRequest> requests = new ArrayList<>();
        String[] prompts = {"Once upon a time", "The dog", "Lily saw a big", "Tom and Sam", "One day", "The sun was"};
        for (int i = 0; i < prompts.length; i++) {
            GenerationRequest r = GenerationRequest.of(prompts[i]).withMaxTokens(40);
            requests.add(switch (i % 3) {
                case 0 -> r;
                case 1 -> r.withSampling(SamplingParams.defaults().withSeed(i));
                default -> r.withLogprobs(3);
            });
        }
        requests.add(GenerationRequest.of("Is the sky blue?").withMaxTokens(8)
                .withSampling(SamplingParams.greedy().withGrammar("root ::= \" yes\" | \" no\"")));
        return requests;
    }

    private static List<GenerationResult> runTogether(Model model) {
        List<Generation> running = mixed().stream().map(model::submit).toList();
        return running.stream().map(g -> g.result().join()).toList();
    }

    @Test
    void generationContextsGetBackendSamplersAndEmbeddingContextsDoNot() {
        try (LlamaModel stories = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults(), null);
             LlamaModel miniLm = LlamaModel.load(LlamaBackend.get(), TestModels.miniLm(), ModelParams.defaults(), null)) {
            assertThat(ContextLayout.forModel(stories, LoadOptions.defaults(), 512).backendSampling()).isTrue();
            assertThat(ContextLayout.forModel(stories, LoadOptions.defaults().withBackendSampling(false), 512).backendSampling())
                    .isFalse();
            assertThat(ContextLayout.forModel(miniLm, LoadOptions.defaults(), 512).backendSampling()).isFalse();
        }
    }

    @Test
    void mixedRequestsInOneBatchGiveTheTokensOfAModelWithoutBackendSampling() {
        LoadOptions options = LoadOptions.defaults().withContextSize(2048).withSequences(8).withThreads(2);
        List<GenerationResult> expected;
        try (Model plain = engine.load(TestModels.stories(), options.withBackendSampling(false))) {
            expected = runTogether(plain);
        }
        try (Model sampled = engine.load(TestModels.stories(), options)) {
            assertThat(options.backendSampling()).isTrue();
            List<GenerationResult> actual = runTogether(sampled);
            assertThat(actual).extracting(GenerationResult::text).isEqualTo(expected.stream().map(GenerationResult::text).toList());
            for (int i = 0; i < actual.size(); i++) {
                assertThat(actual.get(i).logprobs()).hasSameSizeAs(expected.get(i).logprobs());
            }
            assertThat(actual.get(2).logprobs()).isNotEmpty();
            assertThat(actual.get(actual.size() - 1).text()).isIn(" yes", " no");
            // again, each request on another sequence than before: sequences whose last request read its
            // rows now sample in the graph, and the other way round
            List<GenerationRequest> reversed = new ArrayList<>(mixed());
            Collections.reverse(reversed);
            List<Generation> again = reversed.stream().map(sampled::submit).toList();
            List<String> expectedReversed = new ArrayList<>(expected.stream().map(GenerationResult::text).toList());
            Collections.reverse(expectedReversed);
            assertThat(again.stream().map(g -> g.result().join().text()).toList()).isEqualTo(expectedReversed);
        }
    }
}
