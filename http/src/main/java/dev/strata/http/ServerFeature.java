package dev.strata.http;

import io.javalin.config.JavalinConfig;

/**
 * A part of the server that plugs into the Javalin app while it is being created: authentication,
 * CORS, metrics, administration routes. The server applies every feature in order, before the
 * OpenAI routes, so a feature's before-handlers run for every route.
 *
 * <pre>{@code
 * ServerFeature cors = config -> config.bundledPlugins.enableCors(c -> c.addRule(r -> r.anyHost()));
 * }</pre>
 */
@FunctionalInterface
public interface ServerFeature {
    void configure(JavalinConfig config);
}
