package dev.strata.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The answer of a non-streaming chat completion ({@code "object": "chat.completion"}). */
public record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage,
                             String systemFingerprint) {
    /** @param finishReason {@code stop}, {@code length} or {@code tool_calls} */
    public record Choice(int index, AssistantMessage message, @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}

    /** {@code content} and {@code refusal} are always present (null when empty), as OpenAI sends them. */
    public record AssistantMessage(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content,
                                   @JsonInclude(JsonInclude.Include.ALWAYS) String refusal, List<ToolCall> toolCalls,
                                   String reasoningContent) {}

    public record ToolCall(String id, String type, Function function) {}

    public record Function(String name, String arguments) {}
}
