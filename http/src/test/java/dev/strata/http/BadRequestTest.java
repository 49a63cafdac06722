package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.auth.ApiKeys;
import dev.strata.runtime.Engine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

    /** Short enough that the slow-client cases end within seconds; long enough for every good request here. */
    private static final ConnectionLimits LIMITS = new ConnectionLimits(Duration.ofSeconds(2), 1024);
    private static final BlockingQueue<String> FINISHED = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() {
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp)).withBodyLimit(BODY_LIMIT)
                .withConnectionLimits(LIMITS);
        engine = Engine.create(options.engine());
        ServerOperations ops = ServerOperations.create(engine, ApiKeys.of(List.of(KEY)), List.of(),
                ServerOperations.resolver(options));
        GenerationObserver metrics = ops.observer();
        server = new StrataServer(options.withFeatures(ops.features()).withObserver((route, model, result) -> {
            metrics.finished(route, model, result);
            FINISHED.add(route);
        }), engine).start();
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

    private static Arguments row(String name, String path, Object body, int status, String param) {
        return Arguments.of(name, "POST", path, JSON_TYPE, body, status, param);
    }

    /** {@code json} as UTF-8 with {@code raw} (bytes that are not valid UTF-8) put where {@code @@} stands. */
    private static byte[] withRawBytes(String json, int... raw) {
        int at = json.indexOf("@@");
        byte[] head = json.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = json.substring(at + 2).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + raw.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        for (int i = 0; i < raw.length; i++) {
            out[head.length + i] = (byte) raw[i];
        }
        System.arraycopy(tail, 0, out, head.length + raw.length, tail.length);
        return out;
    }

    private static String nested(String open, String inner, String close, int depth) {
        return open.repeat(depth) + inner + close.repeat(depth);
    }

    private static String stops(int count, int length) {
        StringBuilder b = new StringBuilder(", \"stop\": [");
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(String.valueOf((char) ('a' + i % 26)).repeat(length - 1)).append(i % 10).append('"');
        }
        return b.append(']').toString();
    }

    private static String manyMessages(int count) {
        StringBuilder b = new StringBuilder("{\"model\": \"stories260K\", \"max_tokens\": 4, \"messages\": [");
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"Hi\"}");
        }
        return b.append("]}").toString();
    }

    private static String tool(String parameters) {
        return ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": " + parameters + "}}]";
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
                Arguments.of("an unknown model by id", "GET", "/v1/models/no-such-model", null, null, 404, "model"),
                // --- bytes that are not UTF-8, and JSON text that is not JSON
                row("invalid UTF-8 in a message", CHAT, withRawBytes(chat("").replace("\"Hi\"", "\"H@@i\""), 0xff, 0xfe), 400, null),
                row("invalid UTF-8 in a field name", CHAT, withRawBytes(chat(", \"x@@\": 1"), 0xc3, 0x28), 400, null),
                row("an overlong UTF-8 slash in the model id", CHAT, withRawBytes(chatWith("\"..@@stories260K\""), 0xc0, 0xaf), 400, null),
                row("a truncated UTF-8 sequence", CHAT, withRawBytes(chat("").replace("\"Hi\"", "\"Hi@@\""), 0xe2, 0x82), 400, null),
                row("a UTF-8 continuation byte alone", COMPLETIONS, withRawBytes("{\"model\": \"stories260K\", \"prompt\": \"@@\"}", 0x80), 400, null),
                row("invalid UTF-8 in embeddings input", EMBEDDINGS, withRawBytes("{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": \"@@\"}", 0xf8, 0x88, 0x80, 0x80, 0x80), 400, null),
                row("a NUL byte between members", CHAT, withRawBytes(chat(", @@\"user\": \"x\""), 0x00), 400, null),
                row("a raw control character in a string", CHAT, withRawBytes(chat("").replace("\"Hi\"", "\"H@@i\""), 0x01), 400, null),
                row("an invalid escape", CHAT, chat("").replace("\"Hi\"", "\"H\\xi\""), 400, null),
                row("an unterminated string", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi}]}", 400, null),
                row("NaN as temperature", CHAT, chat(", \"temperature\": NaN"), 400, null),
                row("Infinity as top_p", CHAT, chat(", \"top_p\": Infinity"), 400, null),
                row("a number of 5000 digits", CHAT, chat(", \"temperature\": 1" + "0".repeat(5000)), 400, null),
                row("single-quoted JSON", CHAT, "{'model': 'stories260K'}", 400, null),
                row("a comment in the JSON", CHAT, "/* hi */" + chat(""), 400, null),
                // --- nesting that would exhaust a recursive reader's stack
                row("100k nested arrays as the body", CHAT, nested("[", "", "]", 30_000), 400, null),
                row("nested arrays as the content", CHAT, chat("").replace("\"Hi\"", nested("[", "", "]", 30_000)), 400, null),
                row("nested objects in an unknown field", CHAT, chat(", \"x\": " + nested("{\"a\":", "1", "}", 10_000)), 400, null),
                row("a tool schema nested 200 deep", CHAT, chat(tool(nested("{\"type\":\"array\",\"items\":", "{\"type\":\"integer\"}", "}", 200))), 400, null),
                row("a response schema nested 200 deep", CHAT, chat(", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": "
                        + nested("{\"type\":\"array\",\"items\":", "{\"type\":\"integer\"}", "}", 200) + "}}"), 400, null),
                row("nested arrays as an embeddings input", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": " + nested("[", "1", "]", 3) + "}", 400, "input"),
                row("nested arrays as a completion prompt", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": " + nested("[", "1", "]", 3) + "}", 400, "prompt"),
                // --- sizes: tokens, stop lists, messages
                row("max_tokens of 2^31-1", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 2147483647}", 400, "max_tokens"),
                row("max_completion_tokens of 2^31-1", CHAT, chat(", \"max_completion_tokens\": 2147483647"), 400, "max_completion_tokens"),
                row("completion max_tokens of 2^31-1", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"max_tokens\": 2147483647}", 400, "max_tokens"),
                row("completion max_tokens as 1e400", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"max_tokens\": 1e400}", 400, "max_tokens"),
                row("65 stop strings", CHAT, chat(stops(65, 3)), 400, "stop"),
                row("5,000 stop strings", CHAT, chat(stops(5_000, 3)), 400, "stop"),
                row("a stop string of 5000 characters", CHAT, chat(stops(1, 5000)), 400, "stop"),
                row("65 completion stop strings", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": \"Once\"" + stops(65, 2) + "}", 400, "stop"),
                row("a null stop string", CHAT, chat(", \"stop\": [\"a\", null]"), 400, "stop"),
                row("1500 messages", CHAT, manyMessages(1500), 400, "messages"),
                row("a message without a role", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"content\": \"Hi\"}]}", 400, "messages[0].role"),
                row("a message with a null role", CHAT, "{\"model\": \"stories260K\", \"messages\": [{\"role\": null, \"content\": \"Hi\"}]}", 400, "messages[0].role"),
                row("a completion prompt of 2000 token ids", COMPLETIONS, "{\"model\": \"stories260K\", \"prompt\": [" + "1,".repeat(1999) + "1]}", 400, null),
                row("an embeddings token id outside the vocabulary", EMBEDDINGS, "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": [[101, 99999999]]}", 400, null),
                // --- the model id
                row("an empty model id", CHAT, chatWith("\"\""), 400, "model"),
                row("a model id of 10,000 characters", CHAT, chatWith("\"" + "m".repeat(10_000) + "\""), 400, "model"),
                row("stream as a string", CHAT, chat(", \"stream\": \"yes\""), 400, "stream"),
                Arguments.of("DELETE on chat", "DELETE", CHAT, null, null, 405, null),
                Arguments.of("PUT on the model list", "PUT", "/v1/models", JSON_TYPE, "{}", 405, null));
    }

    @Order(1)
    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("badRequests")
    void eachBadRequestGetsItsStatusAndAnOpenAiErrorBody(String name, String method, String path, String contentType,
                                                         Object body, int status, String param) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (authorization(name) != null) {
            b.header("Authorization", authorization(name));
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : body instanceof byte[] bytes ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                : HttpRequest.BodyPublishers.ofString((String) body));
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

    // --- clients that misbehave on the wire: each is cut off or dropped, and the server goes on serving

    /**
     * A client of its own: a connection of the shared client, idle in its pool past the server's idle
     * timeout, is closed by the server, and the JDK client does not retry a POST on it.
     */
    private static HttpClient freshClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static void assertAGoodRequestIsAnswered() throws Exception {
        HttpResponse<String> r = freshClient().send(HttpRequest.newBuilder(URI.create(server.url() + CHAT)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", JSON_TYPE).POST(HttpRequest.BodyPublishers.ofString(chat(""))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** Opens a raw connection and sends a request head for a body of {@code length} bytes, and {@code start} of it. */
    private static Socket sendHead(String path, int length, String start) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + length + "\r\n\r\n" + start).getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    /** What the server does with the connection: the status it answers, or -1 when it just closes it. */
    private static int answerOrClose(Socket socket) throws IOException {
        try {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return line == null ? -1 : Integer.parseInt(line.split(" ")[1]);
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Order(3)
    @Test
    void aClientThatStopsMidBodyIsCutOffAfterTheIdleTimeoutWhileOthersAreServed() throws Exception {
        String body = chat("");
        long t0 = System.nanoTime();
        try (Socket stalled = sendHead(CHAT, body.length(), body.substring(0, 20))) {
            assertAGoodRequestIsAnswered();
            int answer = answerOrClose(stalled);
            Duration waited = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(answer).as("a timeout status or a closed connection").isIn(-1, 400, 408, 500);
            assertThat(waited).isGreaterThanOrEqualTo(LIMITS.idleTimeout().minusMillis(100))
                    .isLessThan(LIMITS.idleTimeout().plusSeconds(8));
        }
        assertAGoodRequestIsAnswered();
        assertThat(server.requestsInFlight()).isZero();
    }

    @Order(4)
    @Test
    void aClientThatSendsItsBodyAByteAtATimeIsCutOff() throws Exception {
        String body = chat(", \"user\": \"" + "x".repeat(4000) + "\"");
        long t0 = System.nanoTime();
        try (Socket slow = sendHead(CHAT, body.length(), "")) {
            Thread trickle = new Thread(() -> {
                try {
                    OutputStream out = slow.getOutputStream();
                    for (int i = 0; i < body.length(); i++) {
                        out.write(body.charAt(i));
                        out.flush();
                        Thread.sleep(20); // 50 bytes/s: never idle, far below the minimum rate
                    }
                } catch (IOException | InterruptedException cutOff) {
                    // the server closed the connection: what this test waits for
                }
            }, "trickling-client");
            trickle.setDaemon(true);
            trickle.start();
            assertAGoodRequestIsAnswered();
            int answer = answerOrClose(slow);
            assertThat(answer).as("a refusal or a closed connection").isIn(-1, 400, 408, 500);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("long before the 80 s the body would take")
                    .isLessThan(Duration.ofSeconds(20));
            trickle.interrupt();
        }
        assertAGoodRequestIsAnswered();
    }

    @Order(5)
    @Test
    void aClientThatDisconnectsMidRequestLeavesNothingBehind() throws Exception {
        String body = chat("");
        for (int i = 0; i < 5; i++) {
            sendHead(CHAT, body.length(), body.substring(0, body.length() / 2)).close();
        }
        sendHead(CHAT, body.length() + 100, body).close(); // promised more than it sent
        assertAGoodRequestIsAnswered();
        assertThat(server.requestsInFlight()).isZero();
    }

    @Order(6)
    @Test
    void aClientThatDisconnectsWhileItsAnswerIsGeneratedOrStreamedLeavesNothingBehind() throws Exception {
        FINISHED.clear();
        String whole = "{\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 400, \"ignore_eos\": true}";
        try (Socket s = sendHead(COMPLETIONS, whole.length(), whole)) {
            assertThat(FINISHED.poll(1, TimeUnit.MILLISECONDS)).isNull();
        } // gone before the answer is written
        assertThat(FINISHED.poll(60, TimeUnit.SECONDS)).as("the generation ends").isEqualTo(COMPLETIONS);

        String streamed = whole.replace("}", ", \"stream\": true}").replace("400", "1000");
        try (Socket s = sendHead(COMPLETIONS, streamed.length(), streamed)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int events = 0;
            for (String line; events < 3 && (line = in.readLine()) != null; ) {
                events += line.startsWith("data: ") ? 1 : 0;
            }
            assertThat(events).isEqualTo(3);
        } // gone mid-stream
        assertThat(FINISHED.poll(60, TimeUnit.SECONDS)).as("the stream's generation ends").isEqualTo(COMPLETIONS);
        assertAGoodRequestIsAnswered();
        assertThat(server.requestsInFlight()).isZero();
    }

    @Order(7)
    @Test
    void aChunkedBodyOverTheLimitIsRefused() throws Exception {
        // A raw socket, because the server answers 413 and closes while the client is still sending: the JDK's
        // HttpClient then fails the whole exchange on the broken write and never reads the answer that arrived.
        // Reading on one thread while writing on another is what a careful HTTP/1.1 client does.
        byte[] chunk = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            String start = chat(", \"user\": \"");
            start = start.substring(0, start.length() - 1); // the user string stays open: the chunks below fill it
            out.write(("POST " + CHAT + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(start.length()) + "\r\n" + start + "\r\n").getBytes(StandardCharsets.UTF_8));
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try {
                    return answerOrClose(socket);
                } catch (IOException e) {
                    return -1;
                }
            });
            try {
                for (int sent = 0; sent < BODY_LIMIT * 2 && !status.isDone(); sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException closedWhileSending) {
                // expected once the server has answered; the answer is read below
            }
            assertThat(status.get(20, TimeUnit.SECONDS)).isEqualTo(413);
        }
        assertAGoodRequestIsAnswered();
    }

    @Order(8)
    @Test
    void aWholeAnswerThatTakesLongerThanTheIdleTimeoutIsStillDelivered() throws Exception {
        // the connection sends nothing while the model works: that silence must not count as an idle client
        String body = "{\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 400,"
                + " \"ignore_eos\": true, \"temperature\": 0}";
        Duration idle = Duration.ofMillis(100);
        try (StrataServer quick = new StrataServer(TestServers.options(server.models().path())
                .withConnectionLimits(new ConnectionLimits(idle, 1024))).start()) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = freshClient().send(HttpRequest.newBuilder(URI.create(quick.url() + COMPLETIONS))
                    .header("Content-Type", JSON_TYPE).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(r.statusCode()).as("after %s: %s", took, r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(400);
            org.junit.jupiter.api.Assumptions.assumeTrue(took.compareTo(idle.multipliedBy(2)) > 0,
                    "the answer came in " + took + ", too soon to show anything");
        }
    }

    private static String errorMessage(String path, String body) throws Exception {
        HttpResponse<String> r = freshClient().send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", JSON_TYPE)
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
        return JSON.readTree(r.body()).at("/error/message").asText();
    }

    @Test
    void everyLimitSaysWhatItIsAndWhatToChange() throws Exception {
        assertThat(errorMessage(CHAT, chat(", \"user\": \"" + "x".repeat(BODY_LIMIT) + "\"")))
                .contains(String.valueOf(BODY_LIMIT)).contains("--max-body");
        assertThat(errorMessage(CHAT, chat(", \"max_completion_tokens\": 2147483647"))).contains("1024");
        assertThat(errorMessage(CHAT, chat(stops(65, 3)))).contains("at most 64");
        assertThat(errorMessage(CHAT, chat(stops(1, 5000)))).contains("at most 1024 characters").contains("5000");
        assertThat(errorMessage(CHAT, chat(tool(nested("{\"type\":\"array\",\"items\":", "{}", "}", 200)))))
                .contains("more than 128 levels deep");
        assertThat(errorMessage(CHAT, chat(", \"temperature\": 1" + "0".repeat(5000)))).contains("JSON limit");
    }

    @Test
    void theServerListsEveryRouteForChecksThatMustCoverThemAll() {
        assertThat(server.routes()).contains("POST /v1/chat/completions", "POST /v1/completions", "POST /v1/embeddings",
                "GET /v1/models", "GET /health").allMatch(r -> r.matches("[A-Z]+ /\\S*"));
    }

    @Test
    void badRequestsAreCountedInTheTable() {
        assertThat(badRequests().count()).isGreaterThanOrEqualTo(100);
    }
}
