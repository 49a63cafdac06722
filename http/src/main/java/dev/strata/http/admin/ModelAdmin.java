package dev.strata.http.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.strata.http.ApiError;
import dev.strata.http.ServerFeature;
import dev.strata.runtime.Engine;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.ModelDoesNotFitException;
import dev.strata.runtime.ModelRegistry;
import dev.strata.runtime.RegisteredModel;
import io.javalin.config.JavalinConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The model administration routes: what is loaded where, and load, unload, pin and unpin by id.
 *
 * <table>
 * <caption>Routes (JSON bodies in snake_case)</caption>
 * <tr><td>{@code GET /admin/models}</td><td>{@code {"models": [ModelStatus…], "devices": [DeviceStatus…]}}</td></tr>
 * <tr><td>{@code GET /admin/models/{id}}</td><td>one {@link ModelStatus}</td></tr>
 * <tr><td>{@code POST /admin/models/{id}/load}</td><td>loads it (body: optional {@link LoadSettings} fields
 *     that replace its options; a loaded model given other options is reloaded); answers its status</td></tr>
 * <tr><td>{@code POST /admin/models/{id}/unload}</td><td>unloads it (running requests end cancelled)</td></tr>
 * <tr><td>{@code POST /admin/models/{id}/pin}, {@code …/unpin}</td><td>never evicted / evictable again</td></tr>
 * <tr><td>{@code GET /admin/devices}</td><td>{@code {"devices": [DeviceStatus…]}}</td></tr>
 * </table>
 *
 * <p>An id the registry does not know yet is looked up with the resolver (the server's models
 * directory: its file and its load options) and defined, so that any model the server could serve can be
 * loaded ahead of its first request. A resolver may throw {@link ApiError} (400 for an id that is no
 * id, 404 for one without a file); empty is a 404.
 *
 * <pre>{@code
 * ServerFeature admin = new ModelAdmin(engine, id -> {
 *     ModelsDirectory.ServedModel m = directory.resolve(id);
 *     return Optional.of(new ModelSource(m.file(), m.load()));
 * });
 * // curl -X POST -H 'Authorization: Bearer KEY' -d '{"context_size": 8192}' http://127.0.0.1:8080/admin/models/llama/load
 * }</pre>
 */
public final class ModelAdmin implements ServerFeature {
    /** Where the routes live. */
    public static final String MODELS = "/admin/models";
    public static final String DEVICES = "/admin/devices";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final Engine engine;
    private final Function<String, Optional<ModelSource>> resolver;
    private final AdminListing listing;

    /**
     * @param engine   whose registry the routes administer
     * @param resolver the file and load options of a model id the registry does not know yet (empty: 404)
     */
    public ModelAdmin(Engine engine, Function<String, Optional<ModelSource>> resolver) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.listing = new AdminListing(engine);
    }

    /** Routes over the models the registry knows already ({@link ModelRegistry#define}); no others. */
    public ModelAdmin(Engine engine) {
        this(engine, id -> Optional.empty());
    }

    @Override
    public void configure(JavalinConfig config) {
        config.routes.get(MODELS, ctx -> {
            Map<String, Object> overview = new LinkedHashMap<>();
            overview.put("models", listing.models());
            overview.put("devices", listing.devices());
            json(ctx, overview);
        });
        config.routes.get(MODELS + "/{id}", ctx -> json(ctx, status(ctx.pathParam("id"))));
        config.routes.post(MODELS + "/{id}/load", this::load);
        config.routes.post(MODELS + "/{id}/unload", ctx -> {
            String id = known(ctx.pathParam("id"));
            engine.registry().unload(id);
            json(ctx, status(id));
        });
        config.routes.post(MODELS + "/{id}/pin", ctx -> pin(ctx, true));
        config.routes.post(MODELS + "/{id}/unpin", ctx -> pin(ctx, false));
        config.routes.get(DEVICES, ctx -> json(ctx, Map.of("devices", listing.devices())));
    }

    private void load(Context ctx) {
        String id = ctx.pathParam("id");
        JsonNode body = body(ctx);
        ModelRegistry registry = engine.registry();
        if (!registry.isDefined(id)) {
            ModelSource source = resolver.apply(id).orElseThrow(() -> ApiError.modelNotFound(id));
            registry.define(id, source.file(), LoadRequest.apply(source.load(), body));
        }
        RegisteredModel current = registered(id);
        LoadOptions wanted = LoadRequest.apply(current.options(), body);
        try {
            if (!wanted.equals(current.options())) {
                registry.reload(id, wanted); // unloads it if loaded, then loads it with the new options
            } else {
                registry.load(id);
            }
        } catch (ModelDoesNotFitException e) {
            throw new ApiError(409, "invalid_request_error", null, "model_does_not_fit", e.getMessage());
        } catch (NoSuchElementException e) {
            throw ApiError.modelNotFound(id);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(null, e.getMessage());
        } catch (RuntimeException e) {
            throw new ApiError(500, "server_error", null, "model_load_failed", "loading '" + id + "' failed: " + e.getMessage());
        }
        json(ctx, status(id));
    }

    private void pin(Context ctx, boolean pinned) {
        String id = known(ctx.pathParam("id"));
        engine.registry().pin(id, pinned);
        json(ctx, status(id));
    }

    private String known(String id) {
        if (!engine.registry().isDefined(id)) {
            throw ApiError.modelNotFound(id);
        }
        return id;
    }

    private RegisteredModel registered(String id) {
        return engine.registry().models().stream().filter(r -> r.name().equals(id)).findFirst()
                .orElseThrow(() -> ApiError.modelNotFound(id));
    }

    private ModelStatus status(String id) {
        return listing.model(id).orElseThrow(() -> ApiError.modelNotFound(id));
    }

    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static void json(Context ctx, Object value) {
        try {
            ctx.contentType(ContentType.APPLICATION_JSON).result(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the listing's records always serialise", e);
        }
    }
}
