package dev.strata.http.openai;

import dev.strata.http.ApiError;
import dev.strata.http.ModelsDirectory;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.runtime.RegisteredModel;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: every servable model, loaded or not. */
final class ModelsRoute {
    private final Serving serving;

    ModelsRoute(Serving serving) {
        this.serving = serving;
    }

    void list(Context ctx) {
        Map<String, RegisteredModel> state = states();
        List<ModelList.ModelObject> out = new ArrayList<>();
        for (ModelsDirectory.ServedModel m : serving.directory().list()) {
            out.add(object(m, state.get(m.id())));
        }
        Responses.json(ctx, new ModelList("list", out));
    }

    void one(Context ctx) {
        String id = ctx.pathParam("id");
        ModelsDirectory.ServedModel m = serving.directory().resolve(id);
        if (serving.directory().list().stream().noneMatch(s -> s.id().equals(m.id()))) {
            throw ApiError.modelNotFound(id);
        }
        Responses.json(ctx, object(m, states().get(m.id())));
    }

    private Map<String, RegisteredModel> states() {
        return serving.registry().models().stream().collect(Collectors.toMap(RegisteredModel::name, Function.identity(),
                (a, b) -> a, LinkedHashMap::new));
    }

    private static ModelList.ModelObject object(ModelsDirectory.ServedModel m, RegisteredModel state) {
        long created;
        try {
            created = Files.getLastModifiedTime(m.file()).toMillis() / 1000;
        } catch (IOException e) {
            created = 0;
        }
        String residency = state == null ? "not_loaded" : state.residency().name().toLowerCase(Locale.ROOT);
        boolean loaded = state != null && state.residency() == dev.strata.runtime.Residency.LOADED;
        ModelList.Placement placement = state == null ? null : state.placement().map(p -> new ModelList.Placement(p.gpuLayers(),
                p.cpuLayers(), p.layerCount(), p.contextSize(),
                p.gpus().stream().filter(d -> d.layerCount() > 0).map(DevicePlan::device).map(Object::toString).toList(),
                p.reason())).orElse(null);
        Map<String, Long> measured = null;
        if (state != null && !state.measuredBytes().isEmpty()) {
            measured = new LinkedHashMap<>();
            for (var e : state.measuredBytes().entrySet()) {
                measured.put(e.getKey().toString(), e.getValue());
            }
        }
        return new ModelList.ModelObject(m.id(), "model", created, "strata", loaded, residency, m.file().getFileName().toString(),
                loaded ? state.activeRequests() : null, placement, measured);
    }
}
