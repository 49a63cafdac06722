package dev.strata.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.strata.http.ApiError;
import java.io.IOException;

/**
 * The JSON rules of the OpenAI routes: snake_case names, no coercion (a number sent as a string is a
 * type error, not a guess), unknown top-level parameters refused, absent fields left out of answers.
 *
 * <pre>{@code
 * ChatCompletionRequest r = OpenAiJson.read(ctx.bodyAsBytes(), ChatCompletionRequest.class);
 * byte[] body = OpenAiJson.write(response);
 * }</pre>
 */
public final class OpenAiJson {
    /**
     * The deepest nesting of arrays and objects a request may have. A chat request with tool schemas
     * needs a few dozen levels; far deeper documents (100k nested arrays fit in a small body) exist only to
     * exhaust the stack of whatever walks them recursively, here or in llama.cpp.
     */
    public static final int MAX_NESTING_DEPTH = 128;
    /** The longest number literal read, in characters (Jackson's default too, stated here as the limit). */
    public static final int MAX_NUMBER_LENGTH = 1000;

    /** The mapper; configured once, thread-safe. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH).build())
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            // a number or boolean where a string belongs ("model": 5) is a type error too
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private OpenAiJson() {}

    /**
     * Reads a request body.
     *
     * @throws JsonProcessingException for malformed JSON, a wrong type or an unknown parameter; the
     *                                 server's exception handler turns it into a 400 that names the field
     */
    public static <T> T read(byte[] body, Class<T> type) throws IOException {
        if (body.length == 0) {
            throw ApiError.badRequest(null, "the request has no body; send a JSON object");
        }
        T value = MAPPER.readValue(body, type);
        if (value == null) {
            throw ApiError.badRequest(null, "the request body is null; send a JSON object");
        }
        return value;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The 400 for a body Jackson could not read, naming the field (as a JSON path) and what was wrong. */
    public static ApiError toApiError(JsonProcessingException e) {
        // databind wraps the parser's limit in a mapping exception with a path: the limit is the news
        Throwable limit = e;
        while (limit != null && !(limit instanceof StreamConstraintsException)) {
            limit = limit.getCause();
        }
        if (limit instanceof StreamConstraintsException c) {
            String what = String.valueOf(c.getOriginalMessage());
            if (what.contains("nesting depth")) {
                return ApiError.badRequest(null, "the request nests arrays and objects more than " + MAX_NESTING_DEPTH
                        + " levels deep; flatten it");
            }
            return ApiError.badRequest(null, "the request body exceeds a JSON limit: " + firstLine(what));
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String path = path(u);
            return ApiError.badRequest(path, "Unrecognized request argument supplied: " + path
                    + " (Strata refuses parameters it does not know rather than ignore them)");
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String path = path(m);
            String original = String.valueOf(m.getOriginalMessage());
            if (original.contains("out of range")) {
                return ApiError.badRequest(path, "'" + path + "' is out of range: " + firstLine(original));
            }
            Class<?> target = m instanceof MismatchedInputException mi ? mi.getTargetType() : null;
            return ApiError.badRequest(path, "'" + path + "' must be " + jsonType(target));
        }
        return ApiError.badRequest(null, "the request body is not valid JSON: " + firstLine(e.getOriginalMessage()));
    }

    /** The JSON type a Java field takes, in the client's words. */
    private static String jsonType(Class<?> target) {
        if (target == null) {
            return "of another type";
        }
        if (target == Integer.class || target == Long.class || target == int.class || target == long.class) {
            return "an integer";
        }
        if (target == Double.class || target == double.class || target == Float.class) {
            return "a number";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (target == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        for (String noise : new String[] {" (start marker", " at [Source"}) {
            int at = line.indexOf(noise);
            if (at > 0) {
                line = line.substring(0, at);
            }
        }
        return line.replaceAll("\\(class [^)]*\\)", "").replaceAll("dev\\.strata\\.[\\w.$]+", "the request").trim();
    }
}
