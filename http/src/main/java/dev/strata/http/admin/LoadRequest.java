package dev.strata.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.http.ApiError;
import dev.strata.runtime.LoadOptions;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * The body of {@code POST /admin/models/{id}/load}: load options that replace the model's current ones,
 * field by field; an empty body loads it as defined.
 *
 * <pre>{@code
 * {"gpu_layers": "planned", "context_size": 8192, "sequences": 8}
 * {"gpu_layers": 20, "threads": 8}
 * {"gpu_layers": "all", "prefix_cache": false}
 * }</pre>
 */
final class LoadRequest {
    static final Set<String> FIELDS = Set.of("gpu_layers", "context_size", "sequences", "threads", "host_bytes",
            "prefix_cache");

    private LoadRequest() {}

    /**
     * {@code base} with the fields of {@code body} applied.
     *
     * @throws ApiError 400 naming the field for an unknown field, a value of the wrong type, or options
     *                  the runtime refuses
     */
    static LoadOptions apply(LoadOptions base, JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return base;
        }
        if (!body.isObject()) {
            throw ApiError.badRequest(null, "the body must be a JSON object of load options: " + FIELDS);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiError.badRequest(name, "unknown load option '" + name + "'; the options are " + FIELDS);
            }
        }
        LoadOptions o = base;
        try {
            if (body.has("gpu_layers")) {
                o = o.withGpuLayers(gpuLayers(body.get("gpu_layers")));
            }
            if (body.has("context_size")) {
                o = o.withContextSize(integer(body, "context_size"));
            }
            if (body.has("sequences")) {
                o = o.withSequences(integer(body, "sequences"));
            }
            if (body.has("threads")) {
                o = o.withThreads(integer(body, "threads"));
            }
            if (body.has("host_bytes")) {
                JsonNode n = body.get("host_bytes");
                if (!n.canConvertToLong() || !n.isIntegralNumber()) {
                    throw ApiError.badRequest("host_bytes", "host_bytes must be a whole number of bytes, not " + n);
                }
                o = o.withHostBytes(n.asLong());
            }
            if (body.has("prefix_cache")) {
                JsonNode n = body.get("prefix_cache");
                if (!n.isBoolean()) {
                    throw ApiError.badRequest("prefix_cache", "prefix_cache must be true or false, not " + n);
                }
                o = o.withPrefixCache(n.asBoolean());
            }
        } catch (IllegalArgumentException refused) {
            throw ApiError.badRequest(null, refused.getMessage());
        }
        return o;
    }

    private static int gpuLayers(JsonNode n) {
        if (n.isTextual()) {
            String s = n.asText().toLowerCase(Locale.ROOT);
            if (s.equals("planned")) {
                return LoadOptions.PLANNED;
            }
            if (s.equals("all")) {
                return -1;
            }
        } else if (n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 0) {
            return n.asInt();
        }
        throw ApiError.badRequest("gpu_layers", "gpu_layers must be \"planned\", \"all\" or a number of layers >= 0, not " + n);
    }

    private static int integer(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw ApiError.badRequest(field, field + " must be a whole number, not " + n);
        }
        return n.asInt();
    }
}
