package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.models.TestModels;
import dev.strata.runtime.EmbeddingRequest;
import dev.strata.runtime.Embeddings;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.PromptTooLongException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model.embed on all-MiniLM-L6-v2: batched, the model's mean pooling, normalised on request. */
class EmbeddingsTest {
    private static Engine engine;
    private static Model model;

    @BeforeAll
    static void load() {
        engine = Engine.create();
        model = engine.load(TestModels.miniLm(), LoadOptions.defaults().withContextSize(512).withThreads(2));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static double dot(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }

    @Test
    void aBatchGivesTheSameVectorsAsOneAtATime() {
        List<String> texts = IntStream.range(0, 11).mapToObj(i -> "Sentence number " + i + " about a cat.").toList();
        Embeddings together = model.embed(EmbeddingRequest.of(texts));
        assertThat(together.vectors()).hasSize(11);
        assertThat(together.dimensions()).isEqualTo(384);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = model.embed(EmbeddingRequest.of(List.of(texts.get(i)))).vectors().get(0);
            assertThat(dot(alone, together.vectors().get(i))).as(texts.get(i)).isGreaterThan(0.9999);
        }
    }

    @Test
    void normalisedOnRequest() {
        List<String> texts = List.of("A man is eating food.", "A man is eating a piece of bread.", "The stock market fell.");
        Embeddings unit = model.embed(EmbeddingRequest.of(texts));
        Embeddings raw = model.embed(EmbeddingRequest.of(texts).withNormalize(false));
        for (int i = 0; i < 3; i++) {
            assertThat(dot(unit.vectors().get(i), unit.vectors().get(i))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            double norm = Math.sqrt(dot(raw.vectors().get(i), raw.vectors().get(i)));
            assertThat(raw.vectors().get(i)[0] / norm).isCloseTo(unit.vectors().get(i)[0], org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(dot(unit.vectors().get(0), unit.vectors().get(1))).isGreaterThan(dot(unit.vectors().get(0), unit.vectors().get(2)) + 0.2);
        assertThat(unit.promptTokens()).isGreaterThan(3 * 3);
    }

    @Test
    void tokenInputsEqualTheirText() {
        int[] tokens = model.tokenize("A man is eating food.");
        float[] fromTokens = model.embed(EmbeddingRequest.ofTokens(List.of(tokens))).vectors().get(0);
        float[] fromText = model.embed(EmbeddingRequest.of(List.of("A man is eating food."))).vectors().get(0);
        assertThat(dot(fromTokens, fromText)).isGreaterThan(0.99999);
    }

    @Test
    void badInputsAreTypedErrors() {
        List<int[]> tooLong = new ArrayList<>();
        tooLong.add(new int[600]);
        assertThatThrownBy(() -> model.embed(EmbeddingRequest.ofTokens(tooLong))).isInstanceOf(PromptTooLongException.class);
        assertThatThrownBy(() -> model.embed(EmbeddingRequest.ofTokens(List.of(new int[] {5, -3}))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.submit(GenerationRequest.of("hi"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("embedding model");
        assertThat(model.isEmbeddingModel()).isTrue();
    }
}
