package dev.strata.http.auth;

import dev.strata.http.ApiError;
import dev.strata.http.ServerFeature;
import io.javalin.config.JavalinConfig;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.plugin.Plugin;
import io.javalin.plugin.PluginPriority;
import java.util.Objects;
import java.util.Set;

/**
 * Requires {@code Authorization: Bearer KEY} with one of the server's {@link ApiKeys} on every request
 * but the open paths ({@code /health}) and CORS preflights ({@code OPTIONS}, which browsers send without
 * credentials); answers 401 with OpenAI's error body (code {@code invalid_api_key}) otherwise. With no
 * keys it does nothing: the server is open.
 *
 * <pre>{@code
 * ServerFeature auth = new ApiKeyAuth(ApiKeys.of(List.of("sk-local-1")));
 * // curl -H 'Authorization: Bearer sk-local-1' http://127.0.0.1:8080/v1/models
 * }</pre>
 *
 * The check runs as a before-handler, so it covers every route and paths that match no route (an unknown
 * path without a key is 401, not 404: the routes are not disclosed); it runs after CORS's, so refusals
 * carry the CORS headers.
 */
public final class ApiKeyAuth implements ServerFeature {
    /** Paths answered without a key: what a load balancer or a supervisor probes. */
    public static final Set<String> DEFAULT_OPEN_PATHS = Set.of("/health");

    private final ApiKeys keys;
    private final Set<String> openPaths;

    /** Keys required everywhere but {@link #DEFAULT_OPEN_PATHS}. */
    public ApiKeyAuth(ApiKeys keys) {
        this(keys, DEFAULT_OPEN_PATHS);
    }

    /** Keys required everywhere but {@code openPaths} (exact paths). */
    public ApiKeyAuth(ApiKeys keys, Set<String> openPaths) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.openPaths = Set.copyOf(openPaths);
    }

    @Override
    public void configure(JavalinConfig config) {
        if (keys.isEmpty()) {
            return;
        }
        config.registerPlugin(new CheckAfterCors(this));
    }

    /**
     * Registers the check as Javalin starts, after the bundled CORS plugin has added its before-handler
     * (this plugin is LATE, CORS is NORMAL): a refusal then carries the CORS headers, so a browser client
     * can read why it was refused, whatever order the features were given in.
     */
    private static final class CheckAfterCors extends Plugin<Void> {
        private final ApiKeyAuth auth;

        CheckAfterCors(ApiKeyAuth auth) {
            this.auth = auth;
        }

        @Override
        public PluginPriority priority() {
            return PluginPriority.LATE;
        }

        @Override
        public void onStart(JavalinState state) {
            state.routes.before(auth::check);
        }
    }

    private void check(Context ctx) {
        if (ctx.method() == HandlerType.OPTIONS || openPaths.contains(ctx.path())) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw ApiError.unauthorized("You didn't provide an API key. You need to provide your API key in an"
                    + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        if (!keys.accepts(bearerToken(header))) {
            throw ApiError.unauthorized("Incorrect API key provided. Use one of the keys the server was started with"
                    + " (--api-key, --api-key-file or " + ApiKeys.ENVIRONMENT_VARIABLE + ").");
        }
    }

    /** The token of {@code Bearer TOKEN} (scheme in any case); null when the header is another scheme. */
    static String bearerToken(String header) {
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0 || !h.substring(0, space).equalsIgnoreCase("Bearer")) {
            return null;
        }
        return h.substring(space + 1).strip();
    }
}
