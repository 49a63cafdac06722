package dev.strata.http.openai;

import dev.strata.http.Admission;
import dev.strata.http.ApiError;
import dev.strata.http.GenerationObserver;
import dev.strata.http.ModelsDirectory;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelRegistry;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What every OpenAI route shares: model ids to files, the engine's registry, the admission queue, the
 * request timeout and the observer of finished generations.
 *
 * <pre>{@code
 * Serving serving = new Serving(directory, engine.registry(), admission, Duration.ofMinutes(10), observer);
 * new OpenAiRoutes(serving).register(config.routes);
 * }</pre>
 */
public final class Serving {
    private static final System.Logger LOG = System.getLogger(Serving.class.getName());
    private final ModelsDirectory directory;
    private final ModelRegistry registry;
    private final Admission admission;
    private final Duration requestTimeout;
    private final GenerationObserver observer;

    public Serving(ModelsDirectory directory, ModelRegistry registry, Admission admission, Duration requestTimeout,
                   GenerationObserver observer) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    public ModelsDirectory directory() {
        return directory;
    }

    public ModelRegistry registry() {
        return registry;
    }

    Admission admission() {
        return admission;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** The served model the id names, defined in the registry under that id (400/404 ApiError otherwise). */
    public ModelsDirectory.ServedModel resolve(String id) {
        ModelsDirectory.ServedModel m = directory.resolve(id);
        if (!registry.isDefined(m.id())) {
            registry.define(m.id(), m.file(), m.load());
        }
        return m;
    }

    /** Runs {@code use} on the loaded model (loading it now if needed), under the registry's lease. */
    <T> T withModel(String id, Function<Model, T> use) {
        return registry.withModel(id, use);
    }

    /** Reads a request body with the OpenAI routes' JSON rules. */
    static <T> T body(Context ctx, Class<T> type) throws IOException {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "invalid_request_error", null, "unsupported_media_type",
                    "send the request body as JSON with Content-Type: application/json, not " + contentType);
        }
        return OpenAiJson.read(ctx.bodyAsBytes(), type);
    }

    /** When a request that starts now must end, as {@link System#nanoTime()}. */
    long deadline() {
        return System.nanoTime() + requestTimeout.toNanos();
    }

    /**
     * The generation's result once it has ended, waiting at most until {@code deadline}; null on timeout
     * (the caller cancels).
     */
    static GenerationResult await(Generation g, long deadlineNanos) throws InterruptedException {
        try {
            return g.result().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a generation's result never fails", e.getCause());
        }
    }

    /**
     * Cancels the generation if it is still running and waits for its end (one decode step). Called once
     * per generation, whatever happened to the request, before its queue place is given back.
     *
     * @return its result; null only if the decode loop did not answer in 30 s (logged)
     */
    static GenerationResult end(Generation g) {
        g.cancel(); // no-op when it has ended
        try {
            return g.result().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.ERROR, "a generation did not end within 30 s of its cancellation", e);
            return null;
        }
    }

    /** Tells the observer of a finished generation; called after its queue place is free. */
    void observe(String route, String model, GenerationResult result) {
        if (result != null) {
            observer.finished(route, model, result);
        }
    }

    /** The 504 a request gets when its generation outlived the request timeout. */
    ApiError timeout() {
        return new ApiError(504, "server_error", null, "timeout", "the generation ran longer than the server's request timeout of "
                + requestTimeout.toSeconds() + " s and was cancelled; ask for fewer tokens or raise --request-timeout");
    }
}
