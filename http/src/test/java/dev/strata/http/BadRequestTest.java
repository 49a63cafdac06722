package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.auth.ApiKeys;
import dev.strata.runtime.Engine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests, one row each: every one gets its 4xx with OpenAI's error body naming what to change,
 * and the server goes on serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "/v1/chat/completions";
    private static final String COMPLETIONS = "/v1/completions";
    private static final String EMBEDDINGS = "/v1/embeddings";
    private static final String JSON_TYPE = "application/json";
    private static final int BODY_LIMIT = 64 * 1024;

    @TempDir
    static Path tmp;
    private static StrataServer server;
    private static Engine engine;
    /** The server requires it, as {@code serve --api-key} does; rows named in {@link #KEYS} send another. */
    private static final String KEY = "sk-bad-request-test";
    private static final Map<String, String> KEYS = Map.of("no API key", "", "a wrong API key", "sk-wrong",
            "an API key in another scheme", "Basic " + KEY);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp)).withBodyLimit(BODY_LIMIT);
        engine = Engine.create(options.engine());
        ServerOperations ops = ServerOperations.create(engine, ApiKeys.of(List.of(KEY)), List.of(),
                ServerOperations.resolver(options));
        server = new StrataServer(options.withFeatures(ops.features()).withObserver(ops.observer()), engine).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    /** The Authorization header a row sends: the server's key, unless the row is about the key. */
    private static String authorization(String name) {
        String key = KEYS.getOrDefault(name, KEY);
        return key.isEmpty() ? null : key.startsWith("Basic ") ? key : "Bearer " + key;
    }

    /** A chat body for stories260K with {@code extra} fields (JSON members, comma-led) added. */
    private static String chat(String extra) {
        return "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 4" + extra + "}";
    }

    private static String chatWith(String model) {
        return "{\"model\": " + model + ", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 4}";
    }

    private static Arguments row(String name, String path, String body, int status, String param) {
        return Arguments.of(name, "POST", path, JSON_TYPE, body, status, param);
    }

    static Stream<Arguments> badRequests() {
        String longPrompt = "Once upon a time there was a little dog. ".repeat(300);
        return Stream.of(
                row("no API key", CHAT, chat(""), 401, null),
                row("a wrong API key", CHAT, chat(""), 401, null),
                row("an API key in another scheme", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\"}", 401, null),
                Arguments.of("no API key", "GET", "/v1/models", null, null, 401, null),
                Arguments.of("a wrong API key", "GET", "/v1/models/stories260K", null, null, 401, null),
                row("malformed JSON", CHAT, "{\"model\": ", 400, null),
                row("a JSON array instead of an object", CHAT, "[1, 2]", 400, null),
                row("an empty body", CHAT, "", 400, null),
                row("JSON null", CHAT, "null", 400, null),
                row("trailing garbage", CHAT, chat("") + " x", 400, null),
                row("no messages", CHAT, "{\"model\": \"stories260K\"}", 400, "messages"),
                row("empty messages", CHAT, "{\"model\": \"stories260K\", \"messages\": []}", 400, "messages"),
                row("messages is a string", CHAT, "{\"model\": \"stories260K\", \"messages\": \"Hi\"}", 400, "messages"),
                row("a message is a string", CHAT, "{\"model\": \"stories260K\", \"messages\": [\"Hi\"]}", 400, "messages[0]"),
                row("unknown role", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"wizard\", \"content\": \"Hi\"}]}", 400, "messages[0].role"),
                row("content is a number", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": 42}]}", 400, "messages[0].content"),
                row("an image part", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}", 400, "messages[0].content[0]"),
                row("no model", CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}", 400, "model"),
                row("unknown model", CHAT, chatWith("\"no-such-model\""), 404, "model"),
                row("model id with ..", CHAT, chatWith("\"../stories260K\""), 400, "model"),
                row("model id as absolute path", CHAT, chatWith("\"/etc/passwd\""), 400, "model"),
                row("model id with a backslash", CHAT, chatWith("\"models\\\\stories260K\""), 400, "model"),
                row("model id with NUL", CHAT, chatWith("\"stories\\u0000260K\""), 400, "model"),
                row("model id with a slash", CHAT, chatWith("\"sub/stories260K\""), 400, "model"),
                row("model is a number", CHAT, chatWith("5"), 400, "model"),
                row("an embedding model for chat", CHAT, chatWith("\"all-MiniLM-L6-v2-Q8_0\""), 400, "model"),
                row("temperature as text", CHAT, chat(", \"temperature\": \"hot\""), 400, "temperature"),
                row("temperature above 2", CHAT, chat(", \"temperature\": 3"), 400, "temperature"),
                row("negative temperature", CHAT, chat(", \"temperature\": -1"), 400, "temperature"),
                row("top_p above 1", CHAT, chat(", \"top_p\": 1.5"), 400, "top_p"),
                row("max_tokens 0", CHAT, chat(", \"max_completion_tokens\": 0"), 400, "max_completion_tokens"),
                row("negative max_tokens", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": -5}", 400, "max_tokens"),
                row("fractional max_tokens", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 1.5}", 400, "max_tokens"),
                row("max_tokens beyond the context", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 1000000}", 400, "max_tokens"),
                row("max_tokens beyond an int", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 99999999999}", 400, "max_tokens"),
                row("n above 1", CHAT, chat(", \"n\": 2"), 400, "n"),
                row("frequency_penalty above 2", CHAT, chat(", \"frequency_penalty\": 5"), 400, "frequency_penalty"),
                row("presence_penalty below -2", CHAT, chat(", \"presence_penalty\": -3"), 400, "presence_penalty"),
                row("stop is a number", CHAT, chat(", \"stop\": 42"), 400, "stop"),
                row("an empty stop string", CHAT, chat(", \"stop\": [\"\"]"), 400, "stop"),
                row("top_logprobs without logprobs", CHAT, chat(", \"top_logprobs\": 2"), 400, "top_logprobs"),
                row("top_logprobs above 20", CHAT, chat(", \"logprobs\": true, \"top_logprobs\": 21"), 400, "top_logprobs"),
                row("completion logprobs above 20", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"logprobs\": 50}", 400, "logprobs"),
                row("an unknown parameter", CHAT, chat(", \"frobnicate\": true"), 400, "frobnicate"),
                row("logit_bias", CHAT, chat(", \"logit_bias\": {\"1\": 5}"), 400, "logit_bias"),
                row("legacy functions", CHAT, chat(", \"functions\": [{\"name\": \"f\"}]"), 400, "functions"),
                row("audio output", CHAT, chat(", \"audio\": {\"voice\": \"alloy\", \"format\": \"wav\"}"), 400, "audio"),
                row("a tool that is not a function", CHAT, chat(", \"tools\": [{\"type\": \"retrieval\"}]"), 400, "tools[0]"),
                row("an unknown tool_choice", CHAT, chat(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": \"sometimes\""), 400, "tool_choice"),
                row("tool_choice required without tools", CHAT, chat(", \"tool_choice\": \"required\""), 400, "tool_choice"),
                row("tool_choice naming a missing tool", CHAT, chat(", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}"), 400, "tool_choice"),
                row("an unknown response_format", CHAT, chat(", \"response_format\": {\"type\": \"xml\"}"), 400, "response_format.type"),
                row("json_schema without a schema", CHAT, chat(", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\"}}"), 400, "response_format.json_schema.schema"),
                row("stream_options without stream", CHAT, chat(", \"stream_options\": {\"include_usage\": true}"), 400, "stream_options"),
                row("ignore_eos on chat", CHAT, chat(", \"ignore_eos\": true"), 400, "ignore_eos"),
                row("a prompt longer than the context", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"" + longPrompt + "\"}], \"max_tokens\": 4}", 400, "messages"),
                row("a streamed prompt longer than the context", CHAT, "{\"model\": \"stories260K\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"" + longPrompt + "\"}], \"max_tokens\": 4}", 400, "messages"),
                Arguments.of("a text/plain body", "POST", CHAT, "text/plain", chat(""), 415, null),
                row("a body over the limit", CHAT, chat(", \"user\": \"" + "x".repeat(BODY_LIMIT) + "\""), 413, null),
                row("completion without a prompt", COMPLETIONS, "{\"model\": \"stories260K\"}", 400, "prompt"),
                row("completion prompt of floats", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": [1.5, 2]}", 400, "prompt"),
                row("completion token outside the vocabulary", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": [1, 999999]}", 400, null),
                row("completion with echo", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"echo\": true}", 400, "echo"),
                row("completion with best_of 3", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"best_of\": 3}", 400, "best_of"),
                row("completion with a suffix", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"suffix\": \"end\"}", 400, "suffix"),
                row("completion with two prompts", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": [\"a\", \"b\"]}", 400, "prompt"),
                row("embeddings with dimensions", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": \"hi\", \"dimensions\": 64}", 400, "dimensions"),
                row("embeddings as hex", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": \"hi\", \"encoding_format\": \"hex\"}", 400, "encoding_format"),
                row("embeddings without input", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\"}", 400, "input"),
                row("embeddings of an empty array", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": []}", 400, "input"),
                row("embeddings of mixed inputs", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": [\"a\", 1]}", 400, "input"),
                row("embeddings from a chat model", EMBEDDINGS, "{\"model\": \"stories260K\", \"input\": \"hi\"}", 400, "model"),
                Arguments.of("an unknown route", "GET", "/v1/nothing", null, null, 404, null),
                Arguments.of("GET on a POST route", "GET", CHAT, null, null, 405, null),
                Arguments.of("an unknown model by id", "GET", "/v1/models/no-such-model", null, null, 404, "model"));
    }

    @Order(1)
    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("badRequests")
    void eachBadRequestGetsItsStatusAndAnOpenAiErrorBody(String name, String method, String path, String contentType,
                                                         String body, int status, String param) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (authorization(name) != null) {
            b.header("Authorization", authorization(name));
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as("%s: %s", name, r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("param") && error.has("code")).as("param and code are always present").isTrue();
        if (param != null) {
            assertThat(error.get("param").asText()).as(r.body()).isEqualTo(param);
        }
        if (status == 401) {
            assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        }
    }

    @Order(2)
    @Test
    void afterThemAGoodRequestIsAnswered() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + CHAT))
                .header("Content-Type", JSON_TYPE).header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(chat(""))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).at("/choices/0/message/content").asText()).isNotEmpty();
        assertThat(server.requestsInFlight()).isZero();
    }

    @Test
    void badRequestsAreCountedInTheTable() {
        assertThat(badRequests().count()).isGreaterThanOrEqualTo(40);
    }
}
