package dev.strata.runtime.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * The shape the answer must take: free text, any JSON object, or JSON matching a schema. JSON
 * formats are enforced by a grammar during sampling, not only asked for in the prompt.
 *
 * <pre>{@code
 * ResponseFormat person = ResponseFormat.jsonSchema(
 *         "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}");
 * }</pre>
 *
 * @param type       which of the three
 * @param jsonSchema the schema (JSON text) for {@link Type#JSON_SCHEMA}; empty otherwise
 */
public record ResponseFormat(Type type, Optional<String> jsonSchema) {
    /** OpenAI's response_format types. */
    public enum Type { TEXT, JSON_OBJECT, JSON_SCHEMA }

    public ResponseFormat {
        Objects.requireNonNull(type, "type");
        jsonSchema = jsonSchema == null ? Optional.empty() : jsonSchema;
        if ((type == Type.JSON_SCHEMA) != jsonSchema.isPresent()) {
            throw new IllegalArgumentException("a schema goes with JSON_SCHEMA and only with it");
        }
    }

    public static ResponseFormat text() {
        return new ResponseFormat(Type.TEXT, Optional.empty());
    }

    public static ResponseFormat jsonObject() {
        return new ResponseFormat(Type.JSON_OBJECT, Optional.empty());
    }

    public static ResponseFormat jsonSchema(String schema) {
        return new ResponseFormat(Type.JSON_SCHEMA, Optional.of(Objects.requireNonNull(schema, "schema")));
    }

    /** The schema the grammar enforces, if any: JSON_OBJECT is the schema {"type":"object"}. */
    Optional<String> effectiveSchema() {
        return switch (type) {
            case TEXT -> Optional.empty();
            case JSON_OBJECT -> Optional.of("{\"type\":\"object\"}");
            case JSON_SCHEMA -> jsonSchema;
        };
    }
}
