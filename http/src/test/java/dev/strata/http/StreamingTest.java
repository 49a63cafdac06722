package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.Model;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams on the wire: many clients at once, clients that go away, full queues, timeouts, shutdown.
 */
class StreamingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path tmp;

    private record Finished(String route, String model, GenerationResult result) {}

    private static String longCompletion(boolean stream) {
        return "{\"model\": \"stories260K\", \"prompt\": \"Once upon a time\", \"max_tokens\": 1000, \"ignore_eos\": true,"
                + " \"temperature\": 0, \"stream\": " + stream + "}";
    }

    /** A streaming request on a raw socket, so the test decides exactly when the client goes away. */
    private static final class RawStream implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final int status;

        RawStream(int port, String path, String body) throws Exception {
            socket = new Socket("127.0.0.1", port);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            status = Integer.parseInt(in.readLine().split(" ")[1]);
        }

        /** The next {@code data:} payload (chunked-encoding size lines and blank lines skipped); null at the end. */
        String nextEvent() throws Exception {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    return line.substring("data: ".length());
                }
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    @Test
    void thirtyTwoConcurrentStreamsAllComplete() throws Exception {
        try (StrataServer server = new StrataServer(TestServers.options(TestServers.modelsDir(tmp))).start()) {
            ExecutorService clients = Executors.newFixedThreadPool(32);
            try {
                List<Future<List<String>>> streams = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    String body = "{\"model\": \"stories260K\", \"stream\": true, \"max_tokens\": 24, \"seed\": " + i
                            + ", \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}]}";
                    streams.add(clients.submit(() -> {
                        HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(HttpRequest.newBuilder(
                                        URI.create(server.url() + "/v1/chat/completions")).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
                        assertThat(r.statusCode()).isEqualTo(200);
                        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
                        return r.body().filter(l -> !l.isEmpty()).toList();
                    }));
                }
                for (Future<List<String>> f : streams) {
                    List<String> lines = f.get(120, TimeUnit.SECONDS);
                    assertThat(lines).allMatch(l -> l.startsWith("data: "));
                    assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
                    List<String> finishes = new ArrayList<>();
                    for (String l : lines.subList(0, lines.size() - 1)) {
                        JsonNode chunk = JSON.readTree(l.substring(6));
                        assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
                        JsonNode finish = chunk.at("/choices/0/finish_reason");
                        assertThat(chunk.at("/choices/0").has("finish_reason")).isTrue();
                        if (!finish.isNull()) {
                            finishes.add(finish.asText());
                        }
                    }
                    assertThat(finishes).hasSize(1).first().isIn("stop", "length");
                    assertThat(JSON.readTree(lines.get(lines.size() - 2).substring(6)).at("/choices/0/finish_reason").isNull())
                            .as("finish_reason comes on the last chunk").isFalse();
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(server.requestsInFlight()).isZero();
        }
    }

    @Test
    void aClientThatDisconnectsCancelsItsGenerationAndFreesItsSequence() throws Exception {
        BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp))
                .withObserver((route, model, result) -> finished.add(new Finished(route, model, result)));
        try (StrataServer server = new StrataServer(options).start()) {
            try (RawStream stream = new RawStream(server.port(), "/v1/completions", longCompletion(true))) {
                assertThat(stream.status).isEqualTo(200);
                for (int i = 0; i < 3; i++) {
                    assertThat(stream.nextEvent()).contains("text_completion");
                }
            } // the client goes away mid-stream
            Finished f = finished.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("the observer hears of the generation").isNotNull();
            assertThat(f.route()).isEqualTo("/v1/completions");
            assertThat(f.result().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(f.result().generatedTokens()).isLessThan(1000);
            Model model = server.engine().registry().loaded(TestServers.STORIES).orElseThrow();
            assertThat(model.activeRequests()).isZero();
            assertThat(model.runningSequences()).isZero();
            assertThat(server.requestsInFlight()).isZero();
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        try (StrataServer server = new StrataServer(TestServers.options(TestServers.modelsDir(tmp)).withQueuePerModel(1)).start();
             RawStream running = new RawStream(server.port(), "/v1/completions", longCompletion(true))) {
            assertThat(running.nextEvent()).contains("text_completion"); // admitted and generating
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\": \"stories260K\", \"prompt\": \"Once\", \"max_tokens\": 4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("model_queue_full");
        }
    }

    @Test
    void aGenerationPastTheRequestTimeoutIsCancelledWith504() throws Exception {
        BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp)).withRequestTimeout(Duration.ofMillis(50))
                .withPreload(TestServers.STORIES).withObserver((route, model, result) -> finished.add(new Finished(route, model, result)));
        try (StrataServer server = new StrataServer(options).start()) {
            awaitHealthy(server);
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(longCompletion(false)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
            assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("timeout");
            assertThat(finished.poll(10, TimeUnit.SECONDS).result().finishReason()).isEqualTo(FinishReason.CANCELLED);

            // a stream has answered 200 already: the timeout ends it with an error event, which the SDKs raise
            try (RawStream stream = new RawStream(server.port(), "/v1/completions", longCompletion(true))) {
                assertThat(stream.status).isEqualTo(200);
                String last = null;
                for (String e; (e = stream.nextEvent()) != null; ) {
                    last = e;
                    if (e.contains("\"error\"")) {
                        break;
                    }
                }
                assertThat(JSON.readTree(last).at("/error/code").asText()).isEqualTo("timeout");
            }
            assertThat(finished.poll(10, TimeUnit.SECONDS).result().finishReason()).isEqualTo(FinishReason.CANCELLED);
        }
    }

    @Test
    void healthIsOkOnceThePreloadedModelIsLoaded() throws Exception {
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp)).withPreload(TestServers.STORIES);
        try (StrataServer server = new StrataServer(options).start()) {
            awaitHealthy(server);
            assertThat(server.engine().registry().loaded(TestServers.STORIES)).isPresent();
            HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode stories = null;
            for (JsonNode m : JSON.readTree(models.body()).get("data")) {
                if (m.get("id").asText().equals(TestServers.STORIES)) {
                    stories = m;
                }
            }
            assertThat(stories).isNotNull();
            assertThat(stories.get("loaded").asBoolean()).isTrue();
            assertThat(stories.get("state").asText()).isEqualTo("loaded");
        }
    }

    @Test
    void shutdownCancelsStreamsStillRunningAfterTheGracePeriod() throws Exception {
        ServerOptions options = TestServers.options(TestServers.modelsDir(tmp)).withShutdownGrace(Duration.ofMillis(200));
        StrataServer server = new StrataServer(options).start();
        try (RawStream stream = new RawStream(server.port(), "/v1/completions",
                longCompletion(true).replace("\"max_tokens\": 1000", "\"max_tokens\": 1000000").replace("1000000", "1000"))) {
            assertThat(stream.nextEvent()).contains("text_completion");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            String last = null;
            for (String e; (e = stream.nextEvent()) != null; ) {
                last = e;
            }
            closing.get(30, TimeUnit.SECONDS);
            // either it finished within the grace period ([DONE]) or it was cancelled with an error event
            assertThat(last).satisfiesAnyOf(l -> assertThat(l).isEqualTo("[DONE]"), l -> assertThat(l).contains("\"error\""));
        } finally {
            server.close();
        }
    }

    private static void awaitHealthy(StrataServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            HttpResponse<String> h = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (h.statusCode() == 200) {
                assertThat(JSON.readTree(h.body()).get("status").asText()).isEqualTo("ok");
                return;
            }
            assertThat(h.statusCode()).as(h.body()).isEqualTo(503);
            assertThat(h.headers().firstValue("Retry-After")).isPresent();
            assertThat(System.nanoTime()).as("the preload finishes").isLessThan(deadline);
            Thread.sleep(20); // polling, as a load balancer's health check does
        }
    }
}
