package dev.strata.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A text completion ({@code "object": "text_completion"}): the whole answer, or one streamed event of it
 * (the same shape, with {@code finish_reason} null until the last).
 */
public record TextCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage,
                             String systemFingerprint) {
    public record Choice(String text, int index, @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}
}
