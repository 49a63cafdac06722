package dev.strata.http;

import dev.strata.http.admin.ModelAdmin;
import dev.strata.http.admin.ModelSource;
import dev.strata.http.auth.ApiKeyAuth;
import dev.strata.http.auth.ApiKeys;
import dev.strata.http.cors.Cors;
import dev.strata.http.metrics.ServerMetrics;
import dev.strata.runtime.Engine;
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
 *         List.of("https://chat.example.com"), ServerOperations.resolver(options));
 * new StrataServer(options.withFeatures(ops.features()).withObserver(ops.observer()), engine);
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
     * @param resolver    the file and load options of a model id the registry does not know yet
     * @throws IllegalArgumentException for an origin that is not {@code *} or {@code scheme://host[:port]}
     */
    public static ServerOperations create(Engine engine, ApiKeys keys, List<String> corsOrigins,
            Function<String, Optional<ModelSource>> resolver) {
        ServerMetrics metrics = new ServerMetrics(engine);
        return new ServerOperations(List.of(Cors.allowing(corsOrigins), new ApiKeyAuth(keys), metrics,
                new ModelAdmin(engine, resolver)), metrics, metrics, keys);
    }

    /**
     * The server's models directory as the admin routes' resolver: the ids the OpenAI routes serve, with
     * the config file's load options (or the server's default), its 400 and 404 for ids it does not serve.
     *
     * @throws IllegalArgumentException when the directory or its config file is wrong
     */
    public static Function<String, Optional<ModelSource>> resolver(ServerOptions options) {
        ModelsDirectory directory = new ModelsDirectory(options.modelsDir(), options.models(), options.defaultLoad());
        return id -> {
            ModelsDirectory.ServedModel m = directory.resolve(id);
            return Optional.of(new ModelSource(m.file(), m.load()));
        };
    }
}
