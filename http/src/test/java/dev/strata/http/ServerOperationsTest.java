package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.admin.ModelAdmin;
import dev.strata.http.admin.ModelSource;
import dev.strata.http.auth.ApiKeyAuth;
import dev.strata.http.auth.ApiKeys;
import dev.strata.http.cors.Cors;
import dev.strata.http.metrics.ServerMetrics;
import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.TokenStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Auth, CORS, metrics and the admin routes together on a real Javalin app over a real engine serving
 * stories260K, through a real HTTP client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerOperationsTest {
    static final String KEY = "sk-test-0123456789";
    static final String ORIGIN = "https://chat.example.com";
    static final LoadOptions SMALL = LoadOptions.planned().withContextSize(256).withThreads(2).withSequences(2);

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Engine engine;
    private ServerMetrics metrics;
    private FeatureServer server;

    static Path stories() {
        Path p = Path.of(System.getProperty("strata.models.dir", "../../shared/models"), "stories260K.gguf");
        assertThat(p).as("the test model (../shared/models, or -Dstrata.models.dir)").isRegularFile();
        return p.toAbsolutePath();
    }

    @BeforeAll
    void start() {
        engine = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults());
        engine.registry().define("stories", stories(), SMALL);
        metrics = new ServerMetrics(engine);
        server = new FeatureServer(List.of(
                new ApiKeyAuth(ApiKeys.of(List.of(KEY, "sk-second-key"))), // before CORS: the order must not matter
                Cors.allowing(List.of(ORIGIN)),
                metrics,
                new ModelAdmin(engine, id -> id.equals("tiny-stories") ? Optional.of(new ModelSource(stories(), SMALL))
                        : Optional.empty())));
    }

    @AfterAll
    void stop() {
        server.close();
        engine.close();
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode admin(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, KEY, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    static Stream<String[]> routes() {
        return Stream.of(
                new String[] {"GET", "/metrics"},
                new String[] {"GET", "/admin/models"},
                new String[] {"GET", "/admin/models/stories"},
                new String[] {"GET", "/admin/devices"},
                new String[] {"POST", "/admin/models/stories/load"},
                new String[] {"POST", "/admin/models/stories/pin"},
                new String[] {"POST", "/admin/models/stories/unpin"},
                new String[] {"POST", "/admin/models/stories/unload"});
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routes")
    void everyRouteWantsOneOfTheKeys(String method, String path) throws Exception {
        for (String missingOrWrong : new String[] {null, "sk-wrong", KEY + "x", KEY.substring(1)}) {
            HttpResponse<String> refused = send(method, path, missingOrWrong, null);
            assertThat(refused.statusCode()).as(method + " " + path + " with key " + missingOrWrong).isEqualTo(401);
            JsonNode error = json.readTree(refused.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("message").asText()).isNotBlank();
        }
        for (String key : new String[] {KEY, "sk-second-key"}) {
            HttpResponse<String> ok = send(method, path, key, null);
            assertThat(ok.statusCode()).as(method + " " + path + ": " + ok.body()).isBetween(200, 299);
        }
    }

    @Test
    void healthIsOpenAndUnknownPathsDoNotDiscloseThemselves() throws Exception {
        assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/nowhere", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/nowhere", KEY, null).statusCode()).isEqualTo(404);
        HttpResponse<String> otherScheme = http.send(HttpRequest.newBuilder(server.uri("/admin/models"))
                .header("Authorization", "Basic " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(otherScheme.statusCode()).isEqualTo(401);
    }

    @Test
    void corsPreflightNeedsNoKeyAndTheAnswerCarriesTheOrigin() throws Exception {
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(server.uri("/admin/models"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization,content-type").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isBetween(200, 299);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("authorization");

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(server.uri("/admin/devices")).header("Origin", ORIGIN)
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);

        // a browser can read why it was refused only if the refusal carries the CORS headers too
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(server.uri("/admin/devices")).header("Origin", ORIGIN)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);

        HttpResponse<String> stranger = http.send(HttpRequest.newBuilder(server.uri("/admin/devices"))
                .header("Origin", "https://evil.example.org").header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void loadAndUnloadChangeTheListingAndMeasuredBytesAppearAfterLoad() throws Exception {
        admin("POST", "/admin/models/stories/unload", null);
        JsonNode before = admin("GET", "/admin/models/stories", null);
        assertThat(before.path("state").asText()).isEqualTo("not_loaded");
        assertThat(before.path("memory")).isEmpty();

        JsonNode loaded = admin("POST", "/admin/models/stories/load", "{\"context_size\": 512, \"sequences\": 3}");
        assertThat(loaded.path("state").asText()).isEqualTo("loaded");
        assertThat(loaded.path("context_size").asInt()).isEqualTo(512);
        assertThat(loaded.path("sequences").asInt()).isEqualTo(3);
        assertThat(loaded.path("options").path("gpu_layers").asText()).isEqualTo("planned");
        JsonNode placement = loaded.path("placement");
        assertThat(placement.path("layer_count").asInt()).isPositive();
        assertThat(placement.path("devices")).isNotEmpty();
        JsonNode memory = loaded.path("memory");
        assertThat(memory).isNotEmpty();
        long measured = 0;
        for (JsonNode d : memory) {
            if (!d.path("measured").isNull()) {
                JsonNode m = d.path("measured");
                measured += m.path("weights").asLong() + m.path("kv").asLong() + m.path("compute").asLong()
                        + m.path("overhead").asLong();
                assertThat(m.path("weights").asLong()).as("weights measured on " + d.path("device")).isNotNegative();
            }
        }
        assertThat(measured).as("bytes measured after load").isPositive();
        JsonNode cpu = memory.get(memory.size() - 1);
        assertThat(cpu.path("device").asText()).isEqualTo("cpu");
        assertThat(cpu.path("estimated").path("kv").asLong()).isPositive();
        assertThat(cpu.path("measured").path("kv").asLong()).isPositive();

        JsonNode list = admin("GET", "/admin/models", null);
        assertThat(list.path("models").findValuesAsText("id")).contains("stories");
        assertThat(list.path("devices").findValuesAsText("device")).contains("cpu");
        JsonNode cpuDevice = list.path("devices").get(list.path("devices").size() - 1);
        assertThat(cpuDevice.path("free_bytes").asLong()).isPositive();
        assertThat(cpuDevice.path("reserve_bytes").asLong()).isPositive();
        assertThat(cpuDevice.path("held_by").path("stories").asLong()).as("the ledger holds it under its name").isPositive();

        JsonNode unloaded = admin("POST", "/admin/models/stories/unload", null);
        assertThat(unloaded.path("state").asText()).isEqualTo("not_loaded");
        assertThat(unloaded.path("memory")).isEmpty();
        assertThat(admin("GET", "/admin/devices", null).path("devices").findValues("held_by").get(0).size()).isZero();
    }

    @Test
    void pinningShowsInTheListing() throws Exception {
        assertThat(admin("POST", "/admin/models/stories/pin", null).path("pinned").asBoolean()).isTrue();
        assertThat(admin("POST", "/admin/models/stories/unpin", null).path("pinned").asBoolean()).isFalse();
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsResolvedOrRefused() throws Exception {
        JsonNode resolved = admin("POST", "/admin/models/tiny-stories/load", null);
        assertThat(resolved.path("state").asText()).isEqualTo("loaded");
        assertThat(resolved.path("path").asText()).endsWith("stories260K.gguf");
        admin("POST", "/admin/models/tiny-stories/unload", null);

        HttpResponse<String> unknown = send("POST", "/admin/models/no-such-model/load", KEY, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).path("error").path("code").asText()).isEqualTo("model_not_found");
        assertThat(send("POST", "/admin/models/no-such-model/unload", KEY, null).statusCode()).isEqualTo(404);
    }

    @Test
    void badLoadOptionsAre400sNamingTheOption() throws Exception {
        for (String[] c : new String[][] {{"{\"context_sise\": 1}", "context_sise"}, {"{\"gpu_layers\": \"most\"}", "gpu_layers"},
                {"{\"sequences\": \"many\"}", "sequences"}, {"{\"prefix_cache\": 1}", "prefix_cache"}}) {
            HttpResponse<String> r = send("POST", "/admin/models/stories/load", KEY, c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json.readTree(r.body()).path("error").path("param").asText()).isEqualTo(c[1]);
        }
        HttpResponse<String> refused = send("POST", "/admin/models/stories/load", KEY, "{\"sequences\": 0}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json.readTree(refused.body()).path("error").path("message").asText()).contains("sequences");
        assertThat(send("POST", "/admin/models/stories/load", KEY, "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void aModelThatDoesNotFitIs409AndAFileThatIsNoModelIs500() throws Exception {
        Path notAModel = Files.writeString(Files.createTempFile("not-a-model", ".gguf"), "hello");
        try (Engine capped = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults().withCap(DeviceId.CPU, 1 << 20)); // 1 MiB: stories260K needs about 2
             FeatureServer small = new FeatureServer(List.of(new ModelAdmin(capped,
                     id -> Optional.of(new ModelSource(id.equals("broken") ? notAModel : stories(), SMALL)))))) {
            HttpResponse<String> tooBig = http.send(HttpRequest.newBuilder(small.uri("/admin/models/stories/load"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tooBig.statusCode()).as(tooBig.body()).isEqualTo(409);
            JsonNode error = json.readTree(tooBig.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("model_does_not_fit");
            assertThat(error.path("message").asText()).contains("does not fit", "host RAM");

            HttpResponse<String> broken = http.send(HttpRequest.newBuilder(small.uri("/admin/models/broken/load"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(broken.statusCode()).as(broken.body()).isEqualTo(500);
            assertThat(json.readTree(broken.body()).path("error").path("code").asText()).isEqualTo("model_load_failed");
            assertThat(json.readTree(small.uri("/admin/models").toURL()).path("models").findValuesAsText("state"))
                    .containsOnly("not_loaded");
        } finally {
            Files.deleteIfExists(notAModel);
        }
    }

    /** The value of the first sample of {@code family} whose labels contain every one of {@code labels}. */
    static double sample(String text, String family, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(family) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            if (Stream.of(labels).allMatch(l::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample of " + family + " with " + List.of(labels) + " in:\n" + text);
    }

    @Test
    void metricsAfterAGenerationHaveEveryFamilyWithSensibleValues() throws Exception {
        engine.registry().load("stories");
        GenerationResult r = engine.registry().submit("stories", GenerationRequest.of("Once upon a time").withMaxTokens(16))
                .result().get(60, TimeUnit.SECONDS);
        metrics.finished("/v1/completions", "stories", r); // as the OpenAI routes do for every generation
        admin("GET", "/admin/models", null);
        assertThat(send("GET", "/admin/devices", "sk-wrong", null).statusCode()).isEqualTo(401);

        HttpResponse<String> scrape = send("GET", "/metrics", KEY, null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = scrape.body();
        String model = "model=\"stories\"";

        assertThat(sample(text, "http_server_requests_seconds_count", "route=\"/admin/models\"", "status=\"200\"", "method=\"GET\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "http_server_requests_seconds_count", "status=\"401\"")).isGreaterThanOrEqualTo(1);
        assertThat(text).contains("http_server_requests_seconds_bucket");
        assertThat(sample(text, "strata_generations_total", model, "finish_reason=\"length\"", "route=\"/v1/completions\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "strata_generation_tokens_total", model, "kind=\"generated\"")).isGreaterThanOrEqualTo(16);
        assertThat(sample(text, "strata_generation_tokens_total", model, "kind=\"prompt\"")).isGreaterThanOrEqualTo(r.promptTokens());
        assertThat(sample(text, "strata_time_to_first_token_seconds_count", model)).isGreaterThanOrEqualTo(1);
        double ttftSum = sample(text, "strata_time_to_first_token_seconds_sum", model);
        assertThat(ttftSum).isPositive().isLessThan(60);
        assertThat(sample(text, "strata_generation_tokens_per_second_sum", model)).isPositive();
        assertThat(sample(text, "strata_model_loaded", model)).isEqualTo(1);
        assertThat(sample(text, "strata_model_requests_active", model)).isZero();
        assertThat(sample(text, "strata_model_sequences_running", model)).isZero();
        double capacity = sample(text, "strata_model_kv_cells_capacity", model);
        assertThat(capacity).isEqualTo(engine.registry().loaded("stories").orElseThrow().contextSize());
        assertThat(sample(text, "strata_model_kv_cells_used", model)).isBetween(1.0, capacity); // the cached prefix
        assertThat(sample(text, "strata_model_memory_bytes", model, "device=\"cpu\"", "source=\"estimated\"")).isPositive();
        assertThat(sample(text, "strata_model_memory_bytes", model, "device=\"cpu\"", "source=\"measured\"")).isPositive();
        assertThat(sample(text, "strata_device_memory_free_bytes", "device=\"cpu\""))
                .isPositive().isLessThanOrEqualTo(sample(text, "strata_device_memory_capacity_bytes", "device=\"cpu\""));
        assertThat(sample(text, "strata_device_memory_reserve_bytes", "device=\"cpu\"")).isEqualTo(1 << 30);
        assertThat(sample(text, "strata_device_memory_held_bytes", "device=\"cpu\"")).isPositive();
    }

    @Test
    void aCancelledRequestLeavesTheGaugesWithinADecodeStep() throws Exception {
        // a context far past what 3,000 tokens of this model take to generate (about half a second on 2 cores)
        engine.registry().define("stories-long", stories(), SMALL.withContextSize(4096).withSequences(1));
        engine.registry().load("stories-long");
        String model = "model=\"stories-long\"";
        Generation g = engine.registry().submit("stories-long", GenerationRequest.of("Once upon a time")
                .withMaxTokens(3000).withIgnoreEos(true));
        try (TokenStream s = g.tokens()) {
            s.next(); // running now
            // the gauges are read from the runtime as the scrape runs: no event has to reach the metrics first
            String during = metrics.scrape();
            assertThat(sample(during, "strata_model_requests_active", model)).isEqualTo(1);
            assertThat(sample(during, "strata_model_sequences_running", model)).isEqualTo(1);
        } // closing the stream cancels it, as a client disconnect does
        GenerationResult cancelled = g.result().get(30, TimeUnit.SECONDS);
        assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
        // the decode loop counts the request finished before it completes the result: no wait is needed
        String after = metrics.scrape();
        assertThat(sample(after, "strata_model_requests_active", model)).isZero();
        assertThat(sample(after, "strata_model_sequences_running", model)).isZero();
        engine.registry().unload("stories-long");
    }
}
