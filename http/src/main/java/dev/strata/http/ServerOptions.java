package dev.strata.http;

import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.LoadOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link StrataServer} listens, which models it serves and how it protects itself.
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.defaults(Path.of("models"))
 *         .withPort(0)                                              // a free port
 *         .withModel("stories", ModelSpec.of("stories260K.gguf").withLoad(LoadOptions.defaults().withContextSize(512)))
 *         .withPreload("stories")
 *         .withFeatures(List.of(config -> config.bundledPlugins.enableCors(c -> c.addRule(r -> r.anyHost()))));
 * try (StrataServer server = new StrataServer(options).start()) { ... }
 * }</pre>
 *
 * @param host            interface to listen on; "127.0.0.1" keeps the server local, "0.0.0.0" opens it
 * @param port            TCP port; 0 = a free port, read back with {@link StrataServer#port()}
 * @param modelsDir       every {@code *.gguf} in it is served under its file stem, plus the aliases of
 *                        its {@value ModelsDirectory#CONFIG_FILE}
 * @param models          more ids (or per-model options for a file stem) on top of the config file's
 * @param defaultLoad     how a model loads when neither the config file nor {@code models} says
 * @param preload         a model id loaded at start; {@code /health} answers 503 until it is loaded.
 *                        Empty = nothing preloaded, and {@code /health} is 200 from the start
 * @param bodyLimitBytes  larger request bodies are refused with 413
 * @param requestTimeout  a generation running longer is cancelled (504, or an error event in a stream)
 * @param queuePerModel   requests admitted per model at once (running and waiting for a sequence);
 *                        one more is refused with 503 and {@code Retry-After}
 * @param shutdownGrace   on close, running requests get this long to finish before they are cancelled
 * @param features        applied in order to Javalin's config, before the OpenAI routes (auth, CORS,
 *                        metrics, admin)
 * @param observer        told about every generation the OpenAI routes finish
 * @param engine          device caps and the registry's keep-alive and eviction rules
 * @param connections     how long the server waits on slow or silent clients
 */
public record ServerOptions(String host, int port, Path modelsDir, Map<String, ModelSpec> models, LoadOptions defaultLoad,
                            Optional<String> preload, long bodyLimitBytes, Duration requestTimeout, int queuePerModel,
                            Duration shutdownGrace, List<ServerFeature> features, GenerationObserver observer,
                            EngineOptions engine, ConnectionLimits connections) {
    /** 127.0.0.1, like llama-server and Ollama: nothing outside this machine reaches it unless asked. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** Room for a long conversation (a 128k-token context is about 0.5 MB of text) with tool schemas. */
    public static final long DEFAULT_BODY_LIMIT = 8L * 1024 * 1024;

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(modelsDir, "modelsDir");
        models = Map.copyOf(Objects.requireNonNull(models, "models"));
        Objects.requireNonNull(defaultLoad, "defaultLoad");
        preload = preload == null ? Optional.empty() : preload;
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        features = List.copyOf(Objects.requireNonNull(features, "features"));
        observer = observer == null ? GenerationObserver.NONE : observer;
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(connections, "connections");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 (a free port) and 65535, not " + port);
        }
        if (bodyLimitBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1024 bytes, not " + bodyLimitBytes);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the request timeout must be positive, not " + requestTimeout);
        }
        if (queuePerModel < 1) {
            throw new IllegalArgumentException("the queue per model must admit at least 1 request, not " + queuePerModel);
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("the shutdown grace period must not be negative, not " + shutdownGrace);
        }
    }

    /**
     * 127.0.0.1:8080, planned loads (the memory planner places each model), an 8 MiB body limit, a
     * 10-minute request timeout, 64 requests per model, 30 s of grace on shutdown, no features, and
     * {@link ConnectionLimits#defaults()}.
     */
    public static ServerOptions defaults(Path modelsDir) {
        return new ServerOptions(DEFAULT_HOST, DEFAULT_PORT, modelsDir, Map.of(), LoadOptions.planned(), Optional.empty(),
                DEFAULT_BODY_LIMIT, Duration.ofMinutes(10), 64, Duration.ofSeconds(30), List.of(), GenerationObserver.NONE,
                EngineOptions.defaults(), ConnectionLimits.defaults());
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    /** Adds (or replaces) one model id. */
    public ServerOptions withModel(String id, ModelSpec spec) {
        Map<String, ModelSpec> m = new LinkedHashMap<>(models);
        m.put(id, spec);
        return new ServerOptions(host, port, modelsDir, m, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withDefaultLoad(LoadOptions o) {
        return new ServerOptions(host, port, modelsDir, models, o, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withPreload(String id) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, Optional.ofNullable(id), bodyLimitBytes,
                requestTimeout, queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withBodyLimit(long bytes) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withRequestTimeout(Duration d) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, d,
                queuePerModel, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withQueuePerModel(int n) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                n, shutdownGrace, features, observer, engine, connections);
    }

    public ServerOptions withShutdownGrace(Duration d) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, d, features, observer, engine, connections);
    }

    public ServerOptions withFeatures(List<ServerFeature> f) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, f, observer, engine, connections);
    }

    public ServerOptions withObserver(GenerationObserver o) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, o, engine, connections);
    }

    public ServerOptions withEngine(EngineOptions e) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, e, connections);
    }

    public ServerOptions withConnectionLimits(ConnectionLimits c) {
        return new ServerOptions(host, port, modelsDir, models, defaultLoad, preload, bodyLimitBytes, requestTimeout,
                queuePerModel, shutdownGrace, features, observer, engine, c);
    }
}
