package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java SDK (4.101.0) against a real server on stories260K and all-MiniLM. */
class OpenAiJavaClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private static StrataServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = new StrataServer(TestServers.options(TestServers.modelsDir(tmp))).start();
        client = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("not-needed").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ChatCompletionCreateParams.Builder story(long seed) {
        return ChatCompletionCreateParams.builder().model(TestServers.STORIES).addUserMessage("Once upon a time")
                .maxCompletionTokens(40).temperature(0.9).seed(seed);
    }

    @Test
    void streamedTextEqualsTheWholeAnswerForTheSameSeed() {
        ChatCompletion whole = client.chat().completions().create(story(11).build());
        String text = whole.choices().get(0).message().content().orElseThrow();
        assertThat(text).isNotBlank();
        assertThat(whole.usage().orElseThrow().completionTokens()).isPositive();
        assertThat(whole.choices().get(0).finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP,
                ChatCompletion.Choice.FinishReason.LENGTH);

        StringBuilder streamed = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        List<Long> usage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                story(11).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.usage().ifPresent(u -> usage.add(u.completionTokens()));
                for (ChatCompletionChunk.Choice c : chunk.choices()) {
                    c.delta().content().ifPresent(streamed::append);
                    c.finishReason().ifPresent(f -> finishReasons.add(f.asString()));
                }
            });
        }
        assertThat(streamed.toString()).isEqualTo(text);
        assertThat(finishReasons).as("one finish reason, on the last choice chunk")
                .containsExactly(whole.choices().get(0).finishReason().asString());
        assertThat(usage).containsExactly(whole.usage().orElseThrow().completionTokens());
    }

    @Test
    void logprobsComeWithEveryTokenStreamedOrNot() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(TestServers.STORIES)
                .addUserMessage("Once upon a time").maxCompletionTokens(12).temperature(0.0).logprobs(true).topLogprobs(3).build();
        ChatCompletion whole = client.chat().completions().create(params);
        List<ChatCompletionTokenLogprob> content = whole.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) whole.usage().orElseThrow().completionTokens());
        for (ChatCompletionTokenLogprob t : content) {
            assertThat(t.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(t.topLogprobs()).hasSize(3);
            assertThat(t.topLogprobs().get(0).token()).as("greedy picks the most likely token").isEqualTo(t.token());
        }
        List<String> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().flatMap(c -> c.choices().stream()).forEach(c -> c.logprobs()
                    .flatMap(ChatCompletionChunk.Choice.Logprobs::content)
                    .ifPresent(l -> l.forEach(t -> streamed.add(t.token()))));
        }
        assertThat(streamed).isEqualTo(content.stream().map(ChatCompletionTokenLogprob::token).toList());
    }

    @Test
    void aDifferentSeedGivesAnotherStory() {
        String a = client.chat().completions().create(story(1).build()).choices().get(0).message().content().orElseThrow();
        String b = client.chat().completions().create(story(2).build()).choices().get(0).message().content().orElseThrow();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void embeddingsAsFloatsAndAsBase64AreTheSameVectors() {
        EmbeddingCreateParams.Builder params = EmbeddingCreateParams.builder().model(TestServers.MINILM)
                .inputOfArrayOfStrings(List.of("A man is eating food.", "A man eats bread."));
        CreateEmbeddingResponse floats = client.embeddings().create(params.encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        CreateEmbeddingResponse base64 = client.embeddings().create(params.encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
        assertThat(floats.data()).hasSize(2);
        assertThat(floats.data().get(0).embedding()).hasSize(384);
        for (int i = 0; i < 2; i++) {
            assertThat(base64.data().get(i).embedding()).isEqualTo(floats.data().get(i).embedding());
        }
        double norm = Math.sqrt(floats.data().get(0).embedding().stream().mapToDouble(f -> f * f).sum());
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(floats.usage().promptTokens()).isPositive();
    }

    @Test
    void theModelListHasEveryFileOfTheDirectory() {
        List<String> ids = client.models().list().autoPager().stream().map(Model::id).toList();
        assertThat(ids).contains(TestServers.STORIES, TestServers.MINILM);
        assertThat(client.models().retrieve(TestServers.STORIES).id()).isEqualTo(TestServers.STORIES);
    }

    /**
     * stories260K cannot call a tool on its own: a named tool_choice makes the grammar force the call,
     * whose arguments must follow the tool's schema; the tool's answer then goes back in the conversation.
     */
    @Test
    void aToolCallRoundTripsThroughTheGrammar(@TempDir Path toolsTmp) throws Exception {
        Path dir = TestServers.modelsDir(toolsTmp);
        try (StrataServer tools = new StrataServer(TestServers.withToolModel(TestServers.options(dir), dir)).start()) {
            OpenAIClient c = OpenAIOkHttpClient.builder().baseUrl(tools.url() + "/v1").apiKey("x").maxRetries(0).build();
            ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                    .name("get_weather").description("Current weather of a city")
                    .parameters(FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string",
                                    "enum", List.of("Paris", "Oslo")))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                            .build()).build()).build();
            ChatCompletionCreateParams ask = ChatCompletionCreateParams.builder().model(TestServers.STORIES_TOOLS)
                    .addUserMessage("Weather in Paris?").addTool(weather).parallelToolCalls(false)
                    .toolChoice(ChatCompletionNamedToolChoice.builder().function(
                            ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())
                    .maxCompletionTokens(200).temperature(0.0).build();

            ChatCompletion answer = c.chat().completions().create(ask);
            ChatCompletion.Choice choice = answer.choices().get(0);
            assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
            ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
            assertThat(call.function().name()).isEqualTo("get_weather");
            assertThat(call.id()).isNotBlank();
            JsonNode args = JSON.readTree(call.function().arguments());
            assertThat(args.get("city").asText()).isIn("Paris", "Oslo");

            // the same call, streamed: deltas by index, id and name in the first one, arguments in pieces
            Map<Long, StringBuilder> streamedArgs = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            List<String> finish = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> stream = c.chat().completions().createStreaming(ask)) {
                stream.stream().flatMap(ch -> ch.choices().stream()).forEach(ch -> {
                    ch.finishReason().ifPresent(f -> finish.add(f.asString()));
                    ch.delta().toolCalls().ifPresent(deltas -> deltas.forEach(d -> {
                        d.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::name).ifPresent(names::add);
                        if (!streamedArgs.containsKey(d.index())) {
                            assertThat(d.id()).as("the first delta of a call carries its id").isPresent();
                        }
                        streamedArgs.computeIfAbsent(d.index(), i -> new StringBuilder())
                                .append(d.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments).orElse(""));
                    }));
                });
            }
            assertThat(names).containsExactly("get_weather");
            assertThat(finish).containsExactly("tool_calls");
            assertThat(JSON.readTree(streamedArgs.get(0L).toString())).isEqualTo(args);

            // the tool's answer goes back; the model then answers in text
            ChatCompletion after = c.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(TestServers.STORIES_TOOLS).addUserMessage("Weather in Paris?").addTool(weather)
                    .addMessage(choice.message())
                    .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("{\"celsius\": 21}").build())
                    .maxCompletionTokens(24).temperature(0.0).build());
            assertThat(after.choices().get(0).finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP,
                    ChatCompletion.Choice.FinishReason.LENGTH, ChatCompletion.Choice.FinishReason.TOOL_CALLS);
            assertThat(after.usage().orElseThrow().promptTokens()).isGreaterThan(answer.usage().orElseThrow().promptTokens());
        }
    }
}
