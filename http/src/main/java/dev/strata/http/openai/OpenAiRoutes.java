package dev.strata.http.openai;

import io.javalin.config.RoutesConfig;

/**
 * The OpenAI-compatible routes: chat completions, completions, embeddings and models.
 *
 * <pre>{@code
 * Javalin.create(config -> new OpenAiRoutes(serving).register(config.routes));
 * }</pre>
 */
public final class OpenAiRoutes {
    private final ChatRoute chat;
    private final CompletionRoute completions;
    private final EmbeddingsRoute embeddings;
    private final ModelsRoute models;

    public OpenAiRoutes(Serving serving) {
        this.chat = new ChatRoute(serving);
        this.completions = new CompletionRoute(serving);
        this.embeddings = new EmbeddingsRoute(serving);
        this.models = new ModelsRoute(serving);
    }

    public void register(RoutesConfig routes) {
        routes.post(ChatRoute.PATH, chat::handle);
        routes.post(CompletionRoute.PATH, completions::handle);
        routes.post(EmbeddingsRoute.PATH, embeddings::handle);
        routes.get("/v1/models", models::list);
        routes.get("/v1/models/{id}", models::one);
    }
}
