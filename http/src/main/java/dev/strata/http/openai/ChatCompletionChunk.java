package dev.strata.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One event of a streaming chat completion ({@code "object": "chat.completion.chunk"}). The last event
 * before {@code [DONE]} has empty {@code choices} and the usage, when the client asked for it.
 */
public record ChatCompletionChunk(String id, String object, long created, String model, List<Choice> choices, Usage usage,
                                  String systemFingerprint) {
    /** {@code finish_reason} is null until the last choice chunk. */
    public record Choice(int index, Delta delta, @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}

    public record Delta(String role, String content, String reasoningContent, List<ToolCallDelta> toolCalls) {
        public static final Delta EMPTY = new Delta(null, null, null, null);
    }

    /** {@code id}, {@code type} and the function's name come only in the first delta of each call. */
    public record ToolCallDelta(int index, String id, String type, FunctionDelta function) {}

    public record FunctionDelta(String name, String arguments) {}
}
