package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LangChain4j's OpenAI integration (1.19.0) against a real server, with no Strata-specific settings. */
class LangChain4jClientTest {
    @TempDir
    static Path tmp;
    private static StrataServer server;

    @BeforeAll
    static void start() {
        server = new StrataServer(TestServers.options(TestServers.modelsDir(tmp))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void chatAndStreamingChatGiveTheSameAnswerForTheSameSeed() throws Exception {
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(server.url() + "/v1").apiKey("not-needed")
                .modelName(TestServers.STORIES).maxTokens(32).temperature(0.8).seed(5).timeout(Duration.ofSeconds(60)).build();
        String whole = chat.chat("Once upon a time");
        assertThat(whole).isNotBlank();

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.url() + "/v1").apiKey("not-needed")
                .modelName(TestServers.STORIES).maxTokens(32).temperature(0.8).seed(5).timeout(Duration.ofSeconds(60)).build();
        StringBuilder pieces = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Once upon a time", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                pieces.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        assertThat(pieces.toString()).isEqualTo(whole);
        assertThat(response.aiMessage().text()).isEqualTo(whole);
        assertThat(response.tokenUsage().outputTokenCount()).isPositive();
    }

    @Test
    void embeddingsOfSimilarSentencesAreCloserThanOfUnrelatedOnes() {
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(server.url() + "/v1").apiKey("not-needed")
                .modelName(TestServers.MINILM).timeout(Duration.ofSeconds(60)).build();
        List<Embedding> e = model.embedAll(List.of(TextSegment.from("A man is eating food."),
                TextSegment.from("A man eats a piece of bread."), TextSegment.from("The stock market fell sharply."))).content();
        assertThat(e).hasSize(3);
        assertThat(e.get(0).dimension()).isEqualTo(384);
        assertThat(cosine(e.get(0), e.get(1))).isGreaterThan(cosine(e.get(0), e.get(2)));
    }

    private static double cosine(Embedding a, Embedding b) {
        float[] x = a.vector();
        float[] y = b.vector();
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            dot += x[i] * y[i];
        }
        return dot; // unit vectors
    }
}
