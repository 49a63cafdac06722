package dev.strata.http.metrics;

import dev.strata.http.GenerationObserver;
import dev.strata.http.ServerFeature;
import dev.strata.http.admin.DeviceMemory;
import dev.strata.http.admin.ModelMemory;
import dev.strata.memory.device.Device;
import dev.strata.memory.device.DeviceId;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.Model;
import dev.strata.runtime.RegisteredModel;
import dev.strata.runtime.Residency;
import dev.strata.runtime.load.PlannedLoader;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics}: Prometheus text through Micrometer. Request counts and latency come from
 * Javalin's request logger; generation figures from the OpenAI routes through {@link GenerationObserver};
 * model and device gauges are read from the engine at each scrape, so they show what the runtime holds
 * at that moment (a request whose client went away is gone from {@code strata_model_requests_active}
 * once the decode loop has dropped it, within one decode step).
 *
 * <table>
 * <caption>Families</caption>
 * <tr><td>{@code http_server_requests_seconds}</td><td>histogram; method, route (the matched path
 *     pattern; {@code none} when none matched: unknown paths, and requests refused before routing such as
 *     401s), status</td></tr>
 * <tr><td>{@code strata_time_to_first_token_seconds}</td><td>histogram; model, route</td></tr>
 * <tr><td>{@code strata_generation_tokens_per_second}</td><td>histogram of each generation's speed; model</td></tr>
 * <tr><td>{@code strata_generation_tokens_total}</td><td>counter; model, kind (prompt, cached, generated)</td></tr>
 * <tr><td>{@code strata_generations_total}</td><td>counter; model, route, finish_reason</td></tr>
 * <tr><td>{@code strata_model_loaded}</td><td>1 loaded, 0 not; model</td></tr>
 * <tr><td>{@code strata_model_requests_active}</td><td>queued and running requests; model</td></tr>
 * <tr><td>{@code strata_model_sequences_running}</td><td>sequences in the current decode step; model</td></tr>
 * <tr><td>{@code strata_model_kv_cells_used}, {@code strata_model_kv_cells_capacity}</td><td>KV cells; model</td></tr>
 * <tr><td>{@code strata_model_memory_bytes}</td><td>model, device, source (estimated, measured)</td></tr>
 * <tr><td>{@code strata_device_memory_free_bytes}, {@code …_capacity_bytes}, {@code …_reserve_bytes},
 *     {@code …_held_bytes}</td><td>device; held = what the engine's ledger holds for all models</td></tr>
 * </table>
 *
 * <pre>{@code
 * ServerMetrics metrics = new ServerMetrics(engine);
 * // the server: features [.., metrics], observer metrics
 * // curl -H 'Authorization: Bearer KEY' http://127.0.0.1:8080/metrics
 * }</pre>
 *
 * Thread-safe.
 */
public final class ServerMetrics implements ServerFeature, GenerationObserver {
    /** Where the scrape is answered. */
    public static final String PATH = "/metrics";
    /** Prometheus text exposition format 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};
    private static final double[] SPEED_BUCKETS = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

    private final Engine engine;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Object scrapeLock = new Object();
    private final MultiGauge loaded;
    private final MultiGauge active;
    private final MultiGauge running;
    private final MultiGauge kvUsed;
    private final MultiGauge kvCapacity;
    private final MultiGauge modelMemory;
    private final MultiGauge deviceFree;
    private final MultiGauge deviceCapacity;
    private final MultiGauge deviceReserve;
    private final MultiGauge deviceHeld;

    public ServerMetrics(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        loaded = gauge("strata.model.loaded", null, "1 while the model is in memory");
        active = gauge("strata.model.requests.active", null, "requests queued or running on the model");
        running = gauge("strata.model.sequences.running", null, "sequences in the model's current decode step");
        kvUsed = gauge("strata.model.kv.cells.used", null, "KV cells holding tokens (running and cached prefixes)");
        kvCapacity = gauge("strata.model.kv.cells.capacity", null, "KV cells of the model's context");
        modelMemory = gauge("strata.model.memory", "bytes", "memory a model holds per device: the planner's estimate, and measured after load");
        deviceFree = gauge("strata.device.memory.free", "bytes", "free memory on the device now");
        deviceCapacity = gauge("strata.device.memory.capacity", "bytes", "all memory of the device");
        deviceReserve = gauge("strata.device.memory.reserve", "bytes", "kept free by planned loads for what no estimate counts");
        deviceHeld = gauge("strata.device.memory.held", "bytes", "held on the device by the engine's ledger for all models");
    }

    private MultiGauge gauge(String name, String unit, String description) {
        return MultiGauge.builder(name).baseUnit(unit).description(description).register(registry);
    }

    /** The Micrometer registry, for meters of one's own. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void configure(JavalinConfig config) {
        config.requestLogger.http(this::recordRequest);
        config.routes.get(PATH, ctx -> ctx.contentType(CONTENT_TYPE).result(scrape()));
    }

    /** Reads the engine's models and devices into the gauges, then renders everything as Prometheus text. */
    public String scrape() {
        synchronized (scrapeLock) { // two scrapes at once would interleave their gauge rows
            refreshModels();
            refreshDevices();
            return registry.scrape();
        }
    }

    private void recordRequest(Context ctx, Float millis) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched != null ? matched.path : "none"; // never the raw path: unbounded label values
        Timer.builder("http.server.requests")
                .description("HTTP requests by route and status, until the response was complete")
                .tags("method", ctx.method().name(), "route", route, "status", Integer.toString(ctx.statusCode()))
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(Math.round(millis * 1e6), TimeUnit.NANOSECONDS);
    }

    @Override
    public void finished(String route, String model, GenerationResult r) {
        String finish = r.finishReason().name().toLowerCase(Locale.ROOT);
        Counter.builder("strata.generations").description("generations finished, by finish reason")
                .tags("model", model, "route", route, "finish_reason", finish).register(registry).increment();
        tokens(model, "prompt", r.promptTokens());
        tokens(model, "cached", r.cachedTokens());
        tokens(model, "generated", r.generatedTokens());
        if (r.generatedTokens() > 0 && r.timeToFirstTokenMillis() > 0) {
            Timer.builder("strata.time.to.first.token")
                    .description("from submission (queueing included) to the first generated token")
                    .tags("model", model, "route", route).serviceLevelObjectives(LATENCY_BUCKETS).register(registry)
                    .record(Math.round(r.timeToFirstTokenMillis() * 1e6), TimeUnit.NANOSECONDS);
        }
        if (r.tokensPerSecond() > 0) {
            DistributionSummary.builder("strata.generation.tokens.per.second")
                    .description("each generation's speed after its first token")
                    .tags("model", model).serviceLevelObjectives(SPEED_BUCKETS).register(registry)
                    .record(r.tokensPerSecond());
        }
    }

    private void tokens(String model, String kind, int n) {
        Counter.builder("strata.generation.tokens").description("tokens of finished generations")
                .tags("model", model, "kind", kind).register(registry).increment(n);
    }

    private void refreshModels() {
        List<MultiGauge.Row<?>> loadedRows = new ArrayList<>();
        List<MultiGauge.Row<?>> activeRows = new ArrayList<>();
        List<MultiGauge.Row<?>> runningRows = new ArrayList<>();
        List<MultiGauge.Row<?>> usedRows = new ArrayList<>();
        List<MultiGauge.Row<?>> capacityRows = new ArrayList<>();
        List<MultiGauge.Row<?>> memoryRows = new ArrayList<>();
        for (RegisteredModel r : engine.registry().models()) {
            Tags model = Tags.of("model", r.name());
            Model m = r.residency() == Residency.LOADED ? engine.registry().loaded(r.name()).orElse(null) : null;
            loadedRows.add(MultiGauge.Row.of(model, m == null ? 0 : 1));
            activeRows.add(MultiGauge.Row.of(model, m == null ? 0 : m.activeRequests()));
            runningRows.add(MultiGauge.Row.of(model, m == null ? 0 : m.runningSequences()));
            if (m == null) {
                continue;
            }
            usedRows.add(MultiGauge.Row.of(model, m.kvCellsUsed()));
            capacityRows.add(MultiGauge.Row.of(model, m.contextSize()));
            for (DeviceMemory d : ModelMemory.of(m)) {
                Tags device = model.and("device", d.device());
                if (d.estimated() != null) {
                    memoryRows.add(MultiGauge.Row.of(device.and("source", "estimated"), d.estimated().total()));
                }
                if (d.measured() != null) {
                    memoryRows.add(MultiGauge.Row.of(device.and("source", "measured"), d.measured().total()));
                }
            }
        }
        loaded.register(loadedRows, true);
        active.register(activeRows, true);
        running.register(runningRows, true);
        kvUsed.register(usedRows, true);
        kvCapacity.register(capacityRows, true);
        modelMemory.register(memoryRows, true);
    }

    private void refreshDevices() {
        List<MultiGauge.Row<?>> free = new ArrayList<>();
        List<MultiGauge.Row<?>> capacity = new ArrayList<>();
        List<MultiGauge.Row<?>> reserve = new ArrayList<>();
        List<MultiGauge.Row<?>> held = new ArrayList<>();
        for (Device d : engine.inventory().read().devices()) {
            DeviceId id = d.id();
            Tags device = Tags.of("device", id.toString());
            free.add(MultiGauge.Row.of(device, d.freeBytes()));
            capacity.add(MultiGauge.Row.of(device, d.totalBytes()));
            reserve.add(MultiGauge.Row.of(device, PlannedLoader.RESERVE_BYTES));
            held.add(MultiGauge.Row.of(device, engine.ledger().held(id)));
        }
        deviceFree.register(free, true);
        deviceCapacity.register(capacity, true);
        deviceReserve.register(reserve, true);
        deviceHeld.register(held, true);
    }
}
