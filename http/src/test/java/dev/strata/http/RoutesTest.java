package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.cli.StrataCommandProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routes on the wire, without an SDK in between: completions, structured output, aliases, token inputs. */
class RoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path tmp;
    private static StrataServer server;

    @BeforeAll
    static void start() throws Exception {
        Path dir = TestServers.modelsDir(tmp);
        Files.writeString(dir.resolve(ModelsDirectory.CONFIG_FILE),
                "{\"tiny-stories\": {\"file\": \"stories260K.gguf\", \"context_size\": 256, \"threads\": 2}}");
        // a feature as auth or CORS would plug in: its before-handler runs ahead of every route
        ServerFeature stamp = config -> config.routes.before(ctx -> ctx.header("X-Strata-Feature", "applied"));
        server = new StrataServer(TestServers.options(dir).withFeatures(List.of(stamp))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void aStreamedCompletionEqualsTheWholeOneWithItsLogprobs() throws Exception {
        String body = "{\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 20, \"temperature\": 0,"
                + " \"logprobs\": 2";
        JsonNode whole = ok(post("/v1/completions", body + "}"));
        assertThat(whole.get("object").asText()).isEqualTo("text_completion");
        String text = whole.at("/choices/0/text").asText();
        JsonNode logprobs = whole.at("/choices/0/logprobs");
        assertThat(logprobs.get("tokens")).hasSize(whole.at("/usage/completion_tokens").asInt());
        assertThat(String.join("", JSON.convertValue(logprobs.get("tokens"), String[].class))).isEqualTo(text);
        assertThat(logprobs.get("top_logprobs").get(0)).hasSize(2);

        HttpResponse<String> streamed = post("/v1/completions", body + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        StringBuilder assembled = new StringBuilder();
        int usage = -1;
        List<String> lines = streamed.body().lines().filter(l -> !l.isEmpty()).toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
        for (String l : lines.subList(0, lines.size() - 1)) {
            JsonNode chunk = JSON.readTree(l.substring("data: ".length()));
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.at("/usage/completion_tokens").asInt();
            } else {
                assembled.append(chunk.at("/choices/0/text").asText());
            }
        }
        assertThat(assembled.toString()).isEqualTo(text);
        assertThat(usage).isEqualTo(whole.at("/usage/completion_tokens").asInt());
    }

    @Test
    void aJsonSchemaResponseFormatGivesMatchingJson() throws Exception {
        JsonNode r = ok(post("/v1/chat/completions", "{\"model\": \"stories260K\", \"max_tokens\": 48, \"temperature\": 0,"
                + " \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Pick a city.\"}]}],"
                + " \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"city\", \"strict\": true, \"schema\":"
                + " {\"type\": \"object\", \"properties\": {\"city\": {\"enum\": [\"Paris\", \"Oslo\"]}}, \"required\": [\"city\"]}}}}"));
        JsonNode answer = JSON.readTree(r.at("/choices/0/message/content").asText());
        assertThat(answer.get("city").asText()).isIn("Paris", "Oslo");
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        String prompt = "{\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 40, \"temperature\": 0";
        String free = ok(post("/v1/completions", prompt + "}")).at("/choices/0/text").asText();
        assertThat(free).contains(" was");
        JsonNode stopped = ok(post("/v1/completions", prompt + ", \"stop\": [\" was\"]}"));
        assertThat(stopped.at("/choices/0/text").asText()).isEqualTo(free.substring(0, free.indexOf(" was")));
        assertThat(stopped.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void anAliasFromTheConfigFileServesWithItsOwnOptions() throws Exception {
        JsonNode r = ok(post("/v1/completions", "{\"model\": \"tiny-stories\", \"prompt\": \"Once\", \"max_tokens\": 4}"));
        assertThat(r.get("model").asText()).isEqualTo("tiny-stories");
        assertThat(server.engine().registry().loaded("tiny-stories").orElseThrow().contextSize()).isEqualTo(256);
        HttpResponse<String> tooMany = post("/v1/completions", "{\"model\": \"tiny-stories\", \"prompt\": \"Once\", \"max_tokens\": 300}");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tooMany.body()).at("/error/message").asText()).contains("256");
        JsonNode model = ok(HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/tiny-stories")).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(model.get("file").asText()).isEqualTo("stories260K.gguf");
        assertThat(model.get("loaded").asBoolean()).isTrue();
    }

    @Test
    void embeddingsOfTokenIdsEqualThoseOfTheirText() throws Exception {
        JsonNode text = ok(post("/v1/embeddings", "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": \"hello world\"}"));
        int[] tokens = server.engine().registry().load(TestServers.MINILM).tokenize("hello world");
        JsonNode ids = ok(post("/v1/embeddings", "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": [" + JSON.writeValueAsString(tokens) + "]}"));
        assertThat(ids.at("/data/0/embedding")).isEqualTo(text.at("/data/0/embedding"));
        assertThat(text.at("/usage/prompt_tokens").asInt()).isEqualTo(tokens.length);
    }

    @Test
    void featuresRunBeforeTheRoutes() throws Exception {
        HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.headers().firstValue("X-Strata-Feature")).hasValue("applied");
        HttpResponse<String> chat = post("/v1/completions", "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"max_tokens\": 2}");
        assertThat(chat.headers().firstValue("X-Strata-Feature")).hasValue("applied");
    }

    @Test
    void serveHasAHelpThatReads() {
        StrataCommandProbe.Result help = StrataCommandProbe.run("serve", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--models-dir", "--port", "--model", "/v1/chat/completions", ModelsDirectory.CONFIG_FILE);
        StrataCommandProbe.Result missing = StrataCommandProbe.run("serve", "--models-dir", tmp.resolve("none").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
    }
}
