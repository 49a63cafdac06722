package dev.strata.http;

import dev.strata.http.admin.ModelAdmin;
import dev.strata.http.auth.ApiKeyAuth;
import dev.strata.http.auth.ApiKeys;
import dev.strata.http.cors.Cors;
import dev.strata.http.metrics.ServerMetrics;
import dev.strata.runtime.Engine;
import dev.strata.runtime.LoadOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything around the OpenAI routes, ready for the server: the features in the order to apply them
 * (CORS, API keys, metrics, model administration) and the observer the OpenAI routes tell about each
 * generation (the metrics).
 *
 * <pre>{@code
 * ServerOperations ops = ServerOperations.create(engine, ApiKeys.from(keys, keyFile, System.getenv()),
 *         List.of("https://chat.example.com"), modelsDirectory::find, LoadOptions.planned());
 * // new StrataServer(..., ops.features(), ops.observer())
 * }</pre>
 *
 * @param features CORS, auth, metrics ({@code /metrics}), admin ({@code /admin/...}), in that order
 * @param observer the metrics, told about every generation
 * @param metrics  the same metrics, for a scrape without HTTP
 * @param keys     the API keys required (empty: the server is open)
 */
public record ServerOperations(List<ServerFeature> features, GenerationObserver observer, ServerMetrics metrics,
                               ApiKeys keys) {
    public ServerOperations {
        features = List.copyOf(features);
    }

    /**
     * @param engine      the engine whose registry the routes and metrics read
     * @param keys        required on every route but {@code /health}; {@link ApiKeys#none()} for an open server
     * @param corsOrigins origins browser clients may call from ({@code *} for any); empty: CORS off
     * @param resolver    the file of a model id the registry does not know yet (the models directory)
     * @param defaults    load options for models the admin routes define through {@code resolver}
     * @throws IllegalArgumentException for an origin that is not {@code *} or {@code scheme://host[:port]}
     */
    public static ServerOperations create(Engine engine, ApiKeys keys, List<String> corsOrigins,
            Function<String, Optional<Path>> resolver, LoadOptions defaults) {
        ServerMetrics metrics = new ServerMetrics(engine);
        return new ServerOperations(List.of(Cors.allowing(corsOrigins), new ApiKeyAuth(keys), metrics,
                new ModelAdmin(engine, resolver, defaults)), metrics, metrics, keys);
    }
}
