package dev.strata.http;

import io.javalin.Javalin;
import java.net.URI;
import java.util.List;

/**
 * A real Javalin app with the given features, OpenAI's error rendering for {@link ApiError} and an open
 * {@code /health}, as the server core sets them up; on a random port.
 */
public final class FeatureServer implements AutoCloseable {
    private final Javalin app;

    public FeatureServer(List<ServerFeature> features) {
        app = Javalin.create(config -> {
            features.forEach(f -> f.configure(config));
            config.routes.exception(ApiError.class, (e, ctx) -> ctx.status(e.status()).json(e.body()));
            config.routes.get("/health", ctx -> ctx.json(java.util.Map.of("status", "ok")));
        }).start(0);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    public String url() {
        return "http://127.0.0.1:" + app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
