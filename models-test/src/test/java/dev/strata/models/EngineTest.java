package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.SamplingParams;
import dev.strata.runtime.Engine;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GeneratedToken;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.PromptTooLongException;
import dev.strata.runtime.TokenStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded API on a real model. */
class EngineTest {
    private static Engine engine;
    private static Model model;

    @BeforeAll
    static void load() {
        engine = Engine.create();
        model = engine.load(TestModels.stories(), LoadOptions.defaults().withContextSize(256));
    }

    @AfterAll
    static void close() {
        engine.close();
        assertThat(engine.models()).isEmpty();
    }

    private static GenerationResult drain(GenerationRequest request, List<GeneratedToken> into) {
        try (TokenStream stream = model.generate(request)) {
            stream.forEachRemaining(into::add);
            return stream.result();
        }
    }

    @Test
    void streamsTokensWhoseTextAddsUpToTheResult() {
        List<GeneratedToken> tokens = new ArrayList<>();
        GenerationResult r = drain(GenerationRequest.of("Once upon a time").withMaxTokens(40), tokens);
        assertThat(r.generatedTokens()).isEqualTo(tokens.size()).isEqualTo(40);
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.promptTokens()).isPositive();
        assertThat(r.tokensPerSecond()).isPositive();
        assertThat(String.join("", tokens.stream().map(GeneratedToken::text).toList())).isEqualTo(r.text());
        assertThat(r.text()).contains(" ");
    }

    @Test
    void sameSeedSameTextThroughTheEngine() {
        GenerationRequest req = GenerationRequest.of("Once upon a time").withMaxTokens(30)
                .withSampling(SamplingParams.defaults().withTemperature(0.9f).withSeed(99));
        assertThat(drain(req, new ArrayList<>()).text()).isEqualTo(drain(req, new ArrayList<>()).text());
    }

    @Test
    void closingEarlyCancelsAndLeavesTheModelServing() {
        TokenStream stream = model.generate(GenerationRequest.of("Once upon a time").withMaxTokens(100));
        stream.next();
        // a second request runs beside the first (continuous batching), it does not wait for it
        assertThat(drain(GenerationRequest.of("Once").withMaxTokens(3), new ArrayList<>()).generatedTokens()).isEqualTo(3);
        stream.close();
        assertThat(stream.result().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(stream.result().generatedTokens()).isBetween(1, 99);
        assertThat(drain(GenerationRequest.of("Once").withMaxTokens(3), new ArrayList<>()).generatedTokens()).isEqualTo(3);
    }

    @Test
    void promptLongerThanTheContextIsRejectedWithTheNumbers() {
        String longPrompt = "Once upon a time there was a dog. ".repeat(60);
        assertThatThrownBy(() -> model.generate(GenerationRequest.of(longPrompt)))
                .isInstanceOfSatisfying(PromptTooLongException.class, e -> {
                    assertThat(e.contextSize()).isEqualTo(model.contextSize());
                    assertThat(e.promptTokens()).isGreaterThan(model.contextSize());
                    assertThat(e.getMessage()).contains(String.valueOf(e.promptTokens())).contains(String.valueOf(e.contextSize()));
                });
        // the model is still usable
        assertThat(drain(GenerationRequest.of("Once").withMaxTokens(2), new ArrayList<>()).generatedTokens()).isEqualTo(2);
    }

    @Test
    void generationStopsAtTheEndOfTheContext() {
        GenerationResult r = drain(GenerationRequest.of("Once upon a time").withMaxTokens(10_000), new ArrayList<>());
        assertThat(r.finishReason()).isIn(FinishReason.LENGTH, FinishReason.STOP);
        // every token but the last one generated occupies a KV cell
        assertThat(r.promptTokens() + r.generatedTokens() - 1).isLessThanOrEqualTo(model.contextSize());
    }
}
