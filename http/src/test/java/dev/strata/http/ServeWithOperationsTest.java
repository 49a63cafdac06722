package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.strata.cli.StrataCommandProbe;
import dev.strata.http.auth.ApiKeys;
import dev.strata.runtime.Engine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server core with the operations around it, as {@code serve} wires them: the official OpenAI client
 * with and without the key, the generations the routes report reaching /metrics, the admin routes
 * loading ids of the models directory, and {@code ps} reading it all.
 */
class ServeWithOperationsTest {
    private static final String KEY = "sk-serve-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path tmp;
    private static Engine engine;
    private static StrataServer server;

    @BeforeAll
    static void start() {
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp));
        engine = Engine.create(options.engine());
        ServerOperations ops = ServerOperations.create(engine, ApiKeys.of(List.of(KEY)), List.of("*"),
                ServerOperations.resolver(options));
        server = new StrataServer(options.withFeatures(ops.features()).withObserver(ops.observer()), engine).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    private static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey(key).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams story() {
        return ChatCompletionCreateParams.builder().model(TestServers.STORIES).addUserMessage("Once upon a time")
                .maxCompletionTokens(8).temperature(0.0).build();
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void theOfficialClientNeedsTheKeyAndItsGenerationsReachTheMetrics() throws Exception {
        assertThatThrownBy(() -> client("sk-wrong").chat().completions().create(story()))
                .isInstanceOf(UnauthorizedException.class);

        ChatCompletion whole = client(KEY).chat().completions().create(story());
        assertThat(whole.choices().get(0).message().content()).isPresent();
        try (StreamResponse<ChatCompletionChunk> stream = client(KEY).chat().completions().createStreaming(story())) {
            assertThat(stream.stream().count()).isPositive();
        }

        String metrics = get("/metrics");
        String model = "model=\"" + TestServers.STORIES + "\"";
        assertThat(ServerOperationsTest.sample(metrics, "strata_generations_total", model,
                "route=\"/v1/chat/completions\"")).isGreaterThanOrEqualTo(2);
        assertThat(ServerOperationsTest.sample(metrics, "strata_time_to_first_token_seconds_count", model))
                .isGreaterThanOrEqualTo(2);
        assertThat(ServerOperationsTest.sample(metrics, "strata_model_loaded", model)).isEqualTo(1);
        assertThat(ServerOperationsTest.sample(metrics, "http_server_requests_seconds_count",
                "route=\"/v1/chat/completions\"", "status=\"200\"")).isGreaterThanOrEqualTo(2);
        assertThat(ServerOperationsTest.sample(metrics, "http_server_requests_seconds_count",
                "route=\"none\"", "status=\"401\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theAdminRoutesLoadIdsOfTheModelsDirectoryAndPsShowsThem() throws Exception {
        HttpResponse<String> loaded = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/admin/models/"
                + TestServers.MINILM + "/load")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
        JsonNode m = JSON.readTree(loaded.body());
        assertThat(m.path("state").asText()).isEqualTo("loaded");
        // the directory's default load options (TestServers.SMALL): explicit layers, 1024 cells
        assertThat(m.path("options").path("context_size").asInt()).isEqualTo(TestServers.SMALL.contextSize());

        HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/admin/models/nope/load"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);

        StrataCommandProbe.Result ps = StrataCommandProbe.run("ps", "--url", server.url(), "--api-key", KEY);
        assertThat(ps.exitCode()).as(ps.err()).isZero();
        assertThat(ps.out()).contains(TestServers.MINILM, "loaded", "cpu");
    }

    @Test
    void healthStaysOpenAndServeDocumentsItsOperationsOptions() throws Exception {
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        StrataCommandProbe.Result help = StrataCommandProbe.run("serve", "--help");
        assertThat(help.out()).contains("--api-key", "--api-key-file", "--cors-origin", "STRATA_API_KEY", "/metrics");
        StrataCommandProbe.Result badKeys = StrataCommandProbe.run("serve", "--models-dir", tmp.toString(),
                "--api-key-file", tmp.resolve("no-such-file").toString());
        assertThat(badKeys.exitCode()).isEqualTo(1);
        assertThat(badKeys.err()).contains("cannot read the API key file");
    }
}
