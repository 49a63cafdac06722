package dev.strata.runtime.chat;

import java.util.Objects;

/**
 * A function the model may call.
 *
 * <pre>{@code
 * ToolDefinition weather = new ToolDefinition("get_weather", "Current weather of a city",
 *         "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
 * }</pre>
 *
 * @param name                 the function name the model writes in its call
 * @param description          what it does, shown to the model; "" = none
 * @param parametersJsonSchema a JSON schema (text) of the arguments object; checked when formatted
 */
public record ToolDefinition(String name, String description, String parametersJsonSchema) {
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a tool needs a name");
        }
        description = description == null ? "" : description;
        parametersJsonSchema = parametersJsonSchema == null ? "{\"type\":\"object\"}" : parametersJsonSchema;
    }
}
