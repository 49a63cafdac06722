package dev.strata.http;

import dev.strata.runtime.GenerationResult;

/**
 * Told about every generation the OpenAI routes finish, whatever its finish reason: metrics use it for
 * time to first token, tokens per second and finish reasons without the routes knowing about metrics.
 *
 * <pre>{@code
 * GenerationObserver log = (route, model, result) -> System.out.println(model + " " + result.tokensPerSecond());
 * }</pre>
 */
@FunctionalInterface
public interface GenerationObserver {
    GenerationObserver NONE = (route, model, result) -> { };

    /** @param route the route's path, e.g. {@code /v1/chat/completions}; @param model the id the client asked for */
    void finished(String route, String model, GenerationResult result);
}
