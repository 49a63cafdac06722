package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SamplingParams;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real text generation through the bridge on TinyStories (stories260K.gguf). */
class StoriesGenerationTest {
    private static LlamaModel model;
    private static LlamaContext context;

    @BeforeAll
    static void load() {
        model = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults(), null);
        context = LlamaContext.create(model, ContextParams.defaults().withContextSize(512).withThreads(2, 2));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void modelFactsAreReadBack() {
        assertThat(model.info().architecture()).isEqualTo("llama");
        assertThat(model.info().layerCount()).isEqualTo(5);
        assertThat(model.info().vocabularySize()).isEqualTo(512);
        assertThat(model.info().trainingContext()).isEqualTo(2048);
        assertThat(model.info().parameterCount()).isPositive();
        assertThat(model.info().sizeBytes()).isPositive();
        assertThat(context.contextSize()).isGreaterThanOrEqualTo(512);
    }

    @Test
    void greedyContinuationIsEnglishWords() {
        String text = Generation.generate(model, context, "Once upon a time", 48, SamplingParams.greedy());
        String[] words = text.trim().split("\\s+");
        assertThat(words).hasSizeGreaterThan(10);
        // TinyStories output is plain English: mostly lower-case alphabetic words and punctuation.
        long plainWords = Arrays.stream(words).filter(w -> Pattern.matches("[A-Za-z']+[.,!?]?", w)).count();
        assertThat(plainWords).isGreaterThanOrEqualTo(words.length * 8L / 10);
        assertThat(text).containsAnyOf(" the ", " was ", " a ");
    }

    @Test
    void greedyIsDeterministic() {
        String first = Generation.generate(model, context, "Once upon a time", 32, SamplingParams.greedy());
        String second = Generation.generate(model, context, "Once upon a time", 32, SamplingParams.greedy());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void sameSeedGivesSameTextAndAnotherSeedUsuallyDiffers() {
        SamplingParams hot = SamplingParams.defaults().withTemperature(1.0f).withTopK(0).withTopP(1f).withMinP(0f);
        String a = Generation.generate(model, context, "Once upon a time", 40, hot.withSeed(1234));
        String b = Generation.generate(model, context, "Once upon a time", 40, hot.withSeed(1234));
        assertThat(b).isEqualTo(a);
        boolean anyDiffers = false;
        for (int seed = 1; seed <= 5 && !anyDiffers; seed++) {
            anyDiffers = !Generation.generate(model, context, "Once upon a time", 40, hot.withSeed(seed)).equals(a);
        }
        assertThat(anyDiffers).as("five other seeds all reproduced seed 1234's text").isTrue();
    }

    @Test
    void tokenizeDetokenizeRoundTrips() {
        for (String text : new String[] {"Once upon a time", "Lily saw a big, red ball.", "Tom said: \"Hello!\""}) {
            int[] tokens = model.tokenize(text, false, false);
            assertThat(tokens).isNotEmpty();
            assertThat(model.detokenize(tokens, false, false)).isEqualTo(text);
        }
        int[] withBos = model.tokenize("Once", true, false);
        assertThat(withBos[0]).isEqualTo(1); // SentencePiece BOS
    }

    @Test
    void grammarConstrainsOutput() {
        String text = Generation.generate(model, context, "Once upon a time", 16,
                SamplingParams.greedy().withGrammar("root ::= (\" yes\" | \" no\")+"));
        assertThat(text).matches("( yes| no)+");
    }

    @Test
    void logitsCoverTheVocabulary() {
        context.clearMemory();
        Batch batch = new Batch(4);
        int[] tokens = model.tokenize("Once upon", true, false);
        for (int i = 0; i < tokens.length; i++) {
            batch.add(tokens[i], i, 0, i == tokens.length - 1);
        }
        assertThat(context.decode(batch)).isEqualTo(DecodeStatus.OK);
        assertThat(context.logits(tokens.length - 1)).hasSize(512);
        assertThat(context.lastPosition(0)).isEqualTo(tokens.length - 1);
    }

    @Test
    void chatTemplateRendersMessages() {
        String prompt = model.applyChatTemplate(java.util.List.of(
                dev.strata.llama.ChatMessage.system("Be brief."), dev.strata.llama.ChatMessage.user("Hi")), true);
        assertThat(prompt).contains("Be brief.").contains("Hi");
        assertThat(prompt.indexOf("Be brief.")).isLessThan(prompt.indexOf("Hi"));
    }

    @Test
    void aVocabularyOnlyLoadTokenizesLikeTheFullModel() {
        try (LlamaModel vocab = LlamaModel.load(LlamaBackend.get(), TestModels.stories(),
                ModelParams.defaults().withVocabOnly(true), null)) {
            assertThat(vocab.tokenize("Lily saw a big, red ball.", true, false))
                    .isEqualTo(model.tokenize("Lily saw a big, red ball.", true, false));
            assertThat(vocab.info().vocabularySize()).isEqualTo(512);
            assertThat(vocab.info().layerCount()).isZero();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LlamaContext.create(vocab, ContextParams.defaults()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary-only");
        }
    }
}
