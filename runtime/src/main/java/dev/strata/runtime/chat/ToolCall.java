package dev.strata.runtime.chat;

import java.util.Objects;

/**
 * A call of a tool that the model asked for, or that an earlier assistant message made.
 *
 * <pre>{@code
 * ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}");
 * }</pre>
 *
 * @param id            the call's id, echoed by the tool's answer ({@link Message#tool}); "" = none given
 * @param name          the tool's name
 * @param argumentsJson the arguments as JSON text, as the model wrote them (usually an object)
 */
public record ToolCall(String id, String name, String argumentsJson) {
    public ToolCall {
        id = id == null ? "" : id;
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
    }
}
