package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SampledToken;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import dev.strata.models.TestModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GeneratedToken;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.TokenLogprob;
import dev.strata.runtime.TokenLogprobs;
import dev.strata.runtime.TokenStream;
import dev.strata.runtime.chat.ChatRequest;
import dev.strata.runtime.chat.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Log-probabilities of generated tokens on stories260K: the OpenAI {@code logprobs} and {@code top_logprobs}. */
class LogprobsTest {
    private static Engine engine;
    private static Model model;

    @BeforeAll
    static void start() {
        engine = Engine.create();
        model = engine.load(TestModels.stories(), LoadOptions.defaults().withContextSize(1024).withSequences(2).withThreads(2));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static List<GeneratedToken> tokens(GenerationRequest request) {
        List<GeneratedToken> out = new ArrayList<>();
        try (TokenStream s = model.generate(request)) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void greedyTokensAreTheMostLikelyAndTheTopListIsAProbabilityRanking() {
        GenerationRequest plain = GenerationRequest.of("Once upon a time").withMaxTokens(24);
        List<GeneratedToken> tokens = tokens(plain.withLogprobs(5));
        GenerationResult result = model.submit(plain.withLogprobs(5)).result().join();

        assertThat(tokens).isNotEmpty();
        for (GeneratedToken t : tokens) {
            if (t.id() == GeneratedToken.NO_TOKEN) {
                assertThat(t.logprobs()).isEmpty();
                continue;
            }
            TokenLogprobs lp = t.logprobs().orElseThrow();
            assertThat(lp.chosen().id()).isEqualTo(t.id());
            assertThat(lp.top()).hasSize(5);
            assertThat(lp.top().get(0)).isEqualTo(lp.chosen());
            double mass = 0;
            float previous = 0f;
            for (TokenLogprob alt : lp.top()) {
                assertThat(alt.logprob()).isLessThanOrEqualTo(0f).isLessThanOrEqualTo(previous);
                previous = alt.logprob();
                mass += Math.exp(alt.logprob());
            }
            assertThat(mass).isLessThanOrEqualTo(1.0 + 1e-5);
            assertThat(lp.top().stream().map(TokenLogprob::id).distinct()).hasSize(5);
        }
        // Asking for logprobs changes no token; the result keeps one entry per streamed token.
        assertThat(result.text()).isEqualTo(model.submit(plain).result().join().text());
        assertSameLogprobs(result.logprobs(), tokens.stream().flatMap(t -> t.logprobs().stream()).toList());
        assertThat(model.submit(plain).result().join().logprobs()).isEmpty();
        assertThat(String.join("", result.logprobs().stream().map(lp -> lp.chosen().text()).toList()))
                .isEqualTo(result.text());
    }

    @Test
    void sampledTokensRepeatWithTheirLogprobsUnderOneSeed() {
        GenerationRequest seeded = GenerationRequest.of("The dog").withMaxTokens(24)
                .withSampling(SamplingParams.defaults().withTemperature(1.2f).withTopK(0).withTopP(1f).withMinP(0f).withSeed(11)).withLogprobs(3);
        GenerationResult first = model.submit(seeded).result().join();
        GenerationResult second = model.submit(seeded).result().join();

        assertThat(first.logprobs()).hasSize(first.generatedTokens());
        assertSameLogprobs(first.logprobs(), second.logprobs());
        for (TokenLogprobs lp : first.logprobs()) {
            assertThat(lp.chosen().logprob()).isLessThanOrEqualTo(0f).isLessThanOrEqualTo(lp.top().get(0).logprob());
        }
        // At temperature 1.2 over the whole vocabulary some token is not the most likely one.
        assertThat(first.logprobs()).anyMatch(lp -> lp.chosen().id() != lp.top().get(0).id());
    }

    /**
     * Same tokens, same values up to float rounding: a repeated prompt's cached prefix is not recomputed,
     * so its last token is decoded in another batch shape and the logits can differ in the last bits.
     */
    private static void assertSameLogprobs(List<TokenLogprobs> actual, List<TokenLogprobs> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertSameLogprob(actual.get(i).chosen(), expected.get(i).chosen());
            assertThat(actual.get(i).top()).hasSameSizeAs(expected.get(i).top());
            for (int k = 0; k < actual.get(i).top().size(); k++) {
                assertSameLogprob(actual.get(i).top().get(k), expected.get(i).top().get(k));
            }
        }
    }

    private static void assertSameLogprob(TokenLogprob actual, TokenLogprob expected) {
        assertThat(actual.id()).isEqualTo(expected.id());
        assertThat(actual.bytes()).isEqualTo(expected.bytes());
        assertThat(actual.logprob()).isCloseTo(expected.logprob(), within(1e-4f));
    }

    @Test
    void zeroAlternativesGiveOnlyTheChosenTokensLogprob() {
        GenerationResult r = model.submit(GenerationRequest.of("Lily saw a big").withMaxTokens(8).withLogprobs(0)).result().join();
        assertThat(r.logprobs()).hasSize(r.generatedTokens());
        assertThat(r.logprobs()).allSatisfy(lp -> {
            assertThat(lp.top()).isEmpty();
            assertThat(lp.chosen().logprob()).isLessThanOrEqualTo(0f);
        });
    }

    @Test
    void chatRequestsCarryLogprobsToTheirTokens() {
        GenerationResult r = model.chat(ChatRequest.of(Message.user("Tell me a story")).withMaxTokens(8).withLogprobs(2))
                .generationResult().join();
        assertThat(r.logprobs()).hasSize(r.generatedTokens()).allSatisfy(lp -> assertThat(lp.top()).hasSize(2));
    }

    @Test
    void moreThanTwentyAlternativesAreRefused() {
        assertThatThrownBy(() -> GenerationRequest.of("x").withLogprobs(21))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 20");
        assertThatThrownBy(() -> ChatRequest.of(Message.user("x")).withLogprobs(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 20");
    }

    /** The native values against a log-softmax of the same logits row computed here, in double. */
    @Test
    void nativeLogprobsAreTheLogSoftmaxOfTheRawLogits() {
        try (LlamaModel raw = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults(), null);
             LlamaContext context = LlamaContext.create(raw, ContextParams.defaults().withContextSize(256).withThreads(2, 2));
             Sampler sampler = Sampler.create(raw, SamplingParams.greedy().withPenalties(1.5f, 0f, 0f, 64))) {
            int[] prompt = raw.tokenize("Once upon a time", true, false);
            Batch batch = new Batch(64);
            for (int i = 0; i < prompt.length; i++) {
                batch.add(prompt[i], i, 0, i == prompt.length - 1);
            }
            assertThat(context.decode(batch)).isEqualTo(DecodeStatus.OK);
            float[] logits = context.logits(prompt.length - 1);
            SampledToken t = sampler.sampleWithLogprobs(context, prompt.length - 1, 20);

            double max = Double.NEGATIVE_INFINITY;
            for (float x : logits) {
                max = Math.max(max, x);
            }
            double sum = 0;
            for (float x : logits) {
                sum += Math.exp(x - max);
            }
            double logZ = max + Math.log(sum);
            assertThat((double) t.logprob()).isCloseTo(logits[t.token()] - logZ, within(1e-5));
            int[] top = t.topTokens();
            assertThat(top).hasSize(20);
            for (int k = 0; k < top.length; k++) {
                assertThat((double) t.topLogprobs()[k]).isCloseTo(logits[top[k]] - logZ, within(1e-5));
                int rank = 0;
                for (float x : logits) {
                    if (x > logits[top[k]]) {
                        rank++;
                    }
                }
                assertThat(rank).as("tokens above the top list's entry %d", k).isLessThanOrEqualTo(k);
            }
        }
    }
}
