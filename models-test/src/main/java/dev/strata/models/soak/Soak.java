package dev.strata.models.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak client: against a running {@code strata serve}, mixed concurrent chat, completion (streamed
 * and whole), embedding and model load/unload requests for a given time, while it samples the server
 * process (heap used after a full GC, RSS, threads, open file descriptors). Writes a markdown report
 * and exits 1 when a request failed or a resource grew after warm-up. Started by
 * {@code models-test/soak/run-soak.sh}, which starts the server; see {@code docs/hardening.md}.
 *
 * <pre>{@code
 * java -cp models-test/target/classes:http/target/strata.jar dev.strata.models.soak.Soak \
 *     --url http://127.0.0.1:8080 --pid 12345 --duration 1200 --sample 10 --clients 6 --report soak.md
 * }</pre>
 */
public final class Soak {
    /**
     * Requests answered 503 with Retry-After (a model unloading, a full queue), and streams ended by an
     * error event with code "cancelled" (the model was unloaded under them), are retried this often.
     */
    private static final int RETRIES = 5;
    /** Heap after GC and RSS may vary this much after warm-up. */
    static final double FLAT = 0.05;

    private final Settings settings;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Counts> counts = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** One request kind's tally. */
    static final class Counts {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong retried = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();
    }

    record Settings(String url, long pid, Duration duration, Duration sample, Duration warmUp, int clients,
                    Path report, String apiKey) {
        static Settings parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                a.put(args[i], args[i + 1]);
            }
            Duration duration = Duration.ofSeconds(Long.parseLong(a.getOrDefault("--duration", "1200")));
            Duration warmUp = a.containsKey("--warmup") ? Duration.ofSeconds(Long.parseLong(a.get("--warmup")))
                    : duration.dividedBy(5);
            return new Settings(a.getOrDefault("--url", "http://127.0.0.1:8080"), Long.parseLong(a.get("--pid")), duration,
                    Duration.ofSeconds(Long.parseLong(a.getOrDefault("--sample", "10"))), warmUp,
                    Integer.parseInt(a.getOrDefault("--clients", "6")), Path.of(a.getOrDefault("--report", "soak-report.md")),
                    System.getenv("STRATA_API_KEY"));
        }
    }

    Soak(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println("Soak --url URL --pid PID [--duration S=1200] [--sample S=10] [--warmup S=duration/5]"
                    + " [--clients N=6] [--report FILE]");
            return;
        }
        Soak soak = new Soak(Settings.parse(args));
        System.exit(soak.run() ? 0 : 1);
    }

    boolean run() throws Exception {
        Instant start = Instant.now();
        boolean admin = status("GET", "/admin/models", null) == 200;
        List<ProcessSample> samples = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(settings.clients() + 2);
        for (int i = 0; i < settings.clients(); i++) {
            int client = i;
            pool.submit(() -> clientLoop(client));
        }
        if (admin) {
            pool.submit(this::loadUnloadLoop);
        }
        pool.submit(() -> {
            while (!stop.get()) {
                try {
                    samples.add(ProcessSample.take(settings.pid(), Duration.between(start, Instant.now())));
                } catch (Exception e) {
                    failures.add("sampling the server failed: " + e);
                }
                sleep(settings.sample());
            }
        });
        Instant end = start.plus(settings.duration());
        while (Instant.now().isBefore(end)) {
            sleep(Duration.ofSeconds(1));
            if (!ProcessHandle.of(settings.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                failures.add("the server process " + settings.pid() + " died");
                break;
            }
        }
        stop.set(true);
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
        samples.add(ProcessSample.take(settings.pid(), Duration.between(start, Instant.now())));
        SoakReport report = new SoakReport(settings, admin, counts, failures, samples, Duration.between(start, Instant.now()));
        Files.writeString(settings.report(), report.markdown());
        System.out.println(report.markdown());
        return report.passed();
    }

    private void clientLoop(int client) {
        String[] kinds = {"chat", "chat-stream", "completion", "completion-stream", "embedding"};
        int n = client;
        while (!stop.get()) {
            String kind = kinds[n++ % kinds.length];
            int seed = ThreadLocalRandom.current().nextInt(1_000_000);
            switch (kind) {
                case "chat" -> request(kind, "/v1/chat/completions", "{\"model\": \"stories260K\", \"max_tokens\": 32, \"seed\": "
                        + seed + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story\"}]}", false);
                case "chat-stream" -> request(kind, "/v1/chat/completions", "{\"model\": \"stories260K-moe4x2\", \"stream\": true,"
                        + " \"max_tokens\": 32, \"seed\": " + seed + ", \"messages\": [{\"role\": \"user\", \"content\": \"Once\"}]}", true);
                case "completion" -> request(kind, "/v1/completions", "{\"model\": \"stories260K-moe4x2\", \"max_tokens\": 32,"
                        + " \"seed\": " + seed + ", \"prompt\": \"Once upon a time\"}", false);
                case "completion-stream" -> request(kind, "/v1/completions", "{\"model\": \"stories260K\", \"stream\": true,"
                        + " \"max_tokens\": 32, \"seed\": " + seed + ", \"prompt\": \"The little dog\"}", true);
                default -> request(kind, "/v1/embeddings", "{\"model\": \"all-MiniLM-L6-v2-Q8_0\", \"input\": [\"a cat\","
                        + " \"a dog on a mat " + seed + "\"]}", false);
            }
        }
    }

    /** Unloads and loads the MoE model again and again while clients use it (admin routes only). */
    private void loadUnloadLoop() {
        while (!stop.get()) {
            sleep(Duration.ofSeconds(10));
            timed("unload", () -> status("POST", "/admin/models/stories260K-moe4x2/unload", "{}"));
            sleep(Duration.ofSeconds(2));
            timed("load", () -> status("POST", "/admin/models/stories260K-moe4x2/load", "{}"));
        }
    }

    private interface StatusCall {
        int call() throws Exception;
    }

    private void timed(String kind, StatusCall call) {
        Counts c = counts.computeIfAbsent(kind, k -> new Counts());
        long t0 = System.nanoTime();
        try {
            int s = call.call();
            if (s / 100 == 2) {
                c.ok.incrementAndGet();
            } else {
                fail(c, kind + ": HTTP " + s);
            }
        } catch (Exception e) {
            fail(c, kind + ": " + e);
        }
        c.nanos.addAndGet(System.nanoTime() - t0);
    }

    private void fail(Counts c, String why) {
        c.failed.incrementAndGet();
        if (failures.size() < 50) {
            failures.add(Instant.now() + " " + why);
        }
    }

    private void request(String kind, String path, String body, boolean stream) {
        Counts c = counts.computeIfAbsent(kind, k -> new Counts());
        long t0 = System.nanoTime();
        try {
            for (int attempt = 0; ; attempt++) {
                HttpResponse<String> r = http.send(post(path, body), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent() && attempt < RETRIES) {
                    c.retried.incrementAndGet();
                    sleep(Duration.ofSeconds(Long.parseLong(r.headers().firstValue("Retry-After").get())));
                    continue;
                }
                String text = r.body();
                if (stream && text.contains("\"code\":\"cancelled\"") && attempt < RETRIES) {
                    // an unload cancels running generations by design (ModelRegistry.unload): a stream already
                    // answered 200 says so in an error event with code "cancelled", as a 503 would; try again
                    c.retried.incrementAndGet();
                    continue;
                }
                boolean good = r.statusCode() == 200 && (stream ? text.strip().endsWith("data: [DONE]") && !text.contains("\"error\"")
                        : text.contains(kind.equals("embedding") ? "\"embedding\"" : "\"finish_reason\""));
                if (good) {
                    c.ok.incrementAndGet();
                } else {
                    fail(c, kind + ": HTTP " + r.statusCode() + " " + text.substring(0, Math.min(300, text.length())));
                }
                break;
            }
        } catch (Exception e) {
            fail(c, kind + ": " + e);
        }
        c.nanos.addAndGet(System.nanoTime() - t0);
    }

    private HttpRequest post(String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.url() + path)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (settings.apiKey() != null) {
            b.header("Authorization", "Bearer " + settings.apiKey());
        }
        return b.build();
    }

    private int status(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.url() + path)).timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (settings.apiKey() != null) {
            b.header("Authorization", "Bearer " + settings.apiKey());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> kindsInOrder(Map<String, Counts> counts) {
        List<String> kinds = new ArrayList<>(counts.keySet());
        kinds.sort(null);
        return kinds;
    }
}
