package dev.strata.runtime.chat;

import dev.strata.runtime.GenerationRequest;
import dev.strata.llama.SamplingParams;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ChatRequest} made ready for generation: the prompt text, sampling with the grammar that
 * enforces the response format or tool calls, the strings that end the answer, and what the
 * {@link ChatParser} needs to read it.
 *
 * <pre>{@code
 * ChatPrompt p = formatter.format(request);
 * GenerationResult raw = model.submit(p.toGenerationRequest()).result().join();
 * Message answer = parser.parse(raw.text(), p.parseFormat());   // or simply: model.chat(request)
 * }</pre>
 *
 * @param prompt      the conversation rendered by the chat template, ending with the answer's opening
 * @param sampling    the request's sampling with the grammar fields set (eager, lazy with triggers, or none)
 * @param stops       the request's stop strings plus the template's own
 * @param maxTokens   the request's token limit
 * @param preservedTokens special tokens the parser needs to see in the text (such as {@code <tool_call>})
 * @param parseFormat how to parse the answer
 */
public record ChatPrompt(String prompt, SamplingParams sampling, List<String> stops, int maxTokens,
                         List<String> preservedTokens, ParseFormat parseFormat) {
    public ChatPrompt {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        stops = List.copyOf(stops);
        preservedTokens = List.copyOf(preservedTokens);
        Objects.requireNonNull(parseFormat, "parseFormat");
    }

    /** The generated text up to the first stop string (all of it when none occurs). */
    public String cutAtStop(String generated) {
        int end = generated.length();
        for (String s : stops) {
            int at = generated.indexOf(s);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return generated.substring(0, end);
    }

    /**
     * The generation that answers this prompt: the template's special tokens parsed as such, the
     * preserved ones rendered in the text, the grammar, the stop strings and the token limit.
     */
    public GenerationRequest toGenerationRequest() {
        return GenerationRequest.of(prompt).withMaxTokens(maxTokens).withSampling(sampling).withStop(stops)
                .withSpecialTokens(true, preservedTokens);
    }
}
