package dev.strata.http;

import dev.strata.http.openai.OpenAiRoutes;
import dev.strata.http.openai.Serving;
import dev.strata.runtime.Engine;
import io.javalin.Javalin;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Strata's OpenAI-compatible HTTP server: the models of one directory behind {@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings}, {@code /v1/models} and {@code /health}, loaded on
 * demand through the engine's registry (planner, ledger, eviction).
 *
 * <pre>{@code
 * try (StrataServer server = new StrataServer(ServerOptions.defaults(Path.of("models")).withPort(0)).start()) {
 *     System.out.println("listening on " + server.url());   // http://127.0.0.1:41234
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * Ownership: the server creates its {@link Engine} and closes it on {@link #close()} (an engine passed
 * in stays the caller's). {@link #close()}
 * refuses new requests, lets running ones finish for {@link ServerOptions#shutdownGrace()}, cancels the
 * rest, then stops listening and unloads every model. Safe twice.
 */
public final class StrataServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StrataServer.class.getName());

    private final ServerOptions options;
    private final Engine engine;
    private final boolean ownsEngine;
    private final ModelsDirectory directory;
    private final Admission admission;
    private final Serving serving;
    private final Javalin app;
    private final Health health = new Health();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object stopped = new Object();

    /**
     * Checks the models directory and its config, creates the engine and the app; listens only after {@link #start()}.
     *
     * @throws IllegalArgumentException when the models directory or its {@value ModelsDirectory#CONFIG_FILE} is wrong,
     *                                  or the preloaded id is not served
     */
    public StrataServer(ServerOptions options) {
        this(options, null);
    }

    /**
     * As {@link #StrataServer(ServerOptions)} on an engine the caller made (so that features such as
     * metrics or admin routes can be built on it first); {@link ServerOptions#engine()} is then unused.
     * Ownership: the caller closes {@code callersEngine}, after the server.
     */
    public StrataServer(ServerOptions options, Engine callersEngine) {
        this.options = Objects.requireNonNull(options, "options");
        this.directory = new ModelsDirectory(options.modelsDir(), options.models(), options.defaultLoad());
        options.preload().ifPresent(id -> {
            try {
                directory.resolve(id);
            } catch (ApiError e) {
                throw new IllegalArgumentException("cannot preload '" + id + "': " + e.getMessage(), e);
            }
        });
        this.admission = new Admission(options.queuePerModel());
        this.ownsEngine = callersEngine == null;
        this.engine = callersEngine != null ? callersEngine : Engine.create(options.engine());
        Serving serving = new Serving(directory, this.engine.registry(), admission, options.requestTimeout(), options.observer());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = options.bodyLimitBytes();
            config.http.prefer405over404 = true;
            ConnectionLimits limits = options.connections();
            config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(limits.idleTimeout().toMillis()));
            if (limits.minRequestBytesPerSecond() > 0) {
                MinimumUploadRate rate = new MinimumUploadRate(limits.minRequestBytesPerSecond(), System::nanoTime);
                config.jetty.modifyServletContextHandler(context -> context.addFilter(new FilterHolder(rate), "/*",
                        EnumSet.of(DispatcherType.REQUEST)));
            }
            for (ServerFeature f : options.features()) {
                f.configure(config);
            }
            config.routes.get("/health", ctx -> {
                Health.Status status = health.status();
                if (status.code() == 503) {
                    ctx.header("Retry-After", "1");
                }
                ctx.status(status.code()).json(status.body());
            });
            new OpenAiRoutes(serving).register(config.routes);
            ErrorResponses.register(config.routes, options.bodyLimitBytes());
        });
        this.serving = serving;
    }

    /** Starts listening and, if a model is to be preloaded, starts loading it; returns at once. */
    public StrataServer start() {
        app.start(options.host(), options.port());
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (c instanceof AbstractConnector connector) {
                connector.setIdleTimeout(options.connections().idleTimeout().toMillis());
            }
        }
        options.preload().ifPresent(this::preload);
        return this;
    }

    private void preload(String id) {
        health.loading(id);
        Thread t = new Thread(() -> {
            try {
                serving.resolve(id);
                engine.registry().load(id);
                engine.registry().pin(id, true);
                health.ready();
                LOG.log(System.Logger.Level.INFO, () -> "preloaded " + id);
            } catch (RuntimeException e) {
                health.failed(id, e);
                LOG.log(System.Logger.Level.ERROR, "preloading " + id + " failed", e);
            }
        }, "strata-preload");
        t.setDaemon(true);
        t.start();
    }

    /** The port it listens on (the one picked when the options said 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}, without a trailing slash. */
    public String url() {
        String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The engine whose registry serves the models (for state and metrics). */
    public Engine engine() {
        return engine;
    }

    public ModelsDirectory models() {
        return directory;
    }

    public ServerOptions options() {
        return options;
    }

    /**
     * Every HTTP route the app has, features' routes included, as "METHOD /path" (path parameters in
     * braces, e.g. "GET /v1/models/{model}"): what a test walks so that no route escapes a check such as
     * authentication.
     */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.endpoint.method.isHttpMethod()) // not the before/after handlers
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).sorted().toList();
    }

    /** Requests admitted and not yet answered, all models together. */
    public int requestsInFlight() {
        return admission.inFlight();
    }

    /** Blocks until {@link #close()} has run (for a command that serves until stopped). */
    public void awaitStop() throws InterruptedException {
        synchronized (stopped) {
            while (!closed.get()) {
                stopped.wait();
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            admission.shutdown(options.shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                app.stop();
            } finally {
                if (ownsEngine) {
                    engine.close();
                }
                synchronized (stopped) {
                    stopped.notifyAll();
                }
            }
        }
    }

    /** {@code /health}: 503 while the preloaded model loads, 200 after (or from the start when nothing is preloaded). */
    private static final class Health {
        private volatile String loading;
        private volatile String failure;

        void loading(String id) {
            loading = id;
        }

        void ready() {
            loading = null;
        }

        void failed(String id, RuntimeException e) {
            failure = "preloading '" + id + "' failed: " + e.getMessage();
            loading = null;
        }

        record Status(int code, Map<String, String> body) {}

        Status status() {
            String l = loading;
            String f = failure;
            if (f != null) {
                return new Status(500, Map.of("status", "error", "message", f));
            }
            if (l != null) {
                return new Status(503, Map.of("status", "loading", "model", l));
            }
            return new Status(200, Map.of("status", "ok"));
        }
    }
}
