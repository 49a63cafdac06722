package dev.strata.http.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The body of {@code POST /v1/chat/completions}, as OpenAI defines it. Fields are null when absent.
 *
 * <p>Every parameter is either honoured, refused with a 400 that names it when its value asks for
 * something Strata cannot do ({@code n > 1}, {@code logit_bias}, audio...), or, for the few that change
 * nothing about the answer ({@code user}, {@code store}, {@code metadata}, {@code service_tier},
 * {@code prompt_cache_key}, {@code safety_identifier}), accepted and ignored. Parameters not listed here
 * are refused. llama.cpp-style extensions: {@code top_k}, {@code min_p}, {@code ignore_eos}.
 */
public record ChatCompletionRequest(
        String model, List<Message> messages, Boolean stream, StreamOptions streamOptions,
        Integer maxTokens, Integer maxCompletionTokens, Double temperature, Double topP, Long seed, JsonNode stop,
        Double frequencyPenalty, Double presencePenalty, Integer n, Boolean logprobs, Integer topLogprobs,
        List<Tool> tools, JsonNode toolChoice, Boolean parallelToolCalls, ResponseFormat responseFormat,
        // accepted, no effect on the answer
        String user, Boolean store, JsonNode metadata, String serviceTier, String promptCacheKey, String safetyIdentifier,
        // refused unless absent or neutral
        JsonNode logitBias, JsonNode modalities, JsonNode audio, JsonNode prediction, String reasoningEffort,
        JsonNode functions, JsonNode functionCall, JsonNode webSearchOptions, String verbosity,
        // llama.cpp extensions
        Integer topK, Double minP, Boolean ignoreEos) {

    /**
     * One message. Response-only fields that SDKs echo back when a reply is appended to the history
     * ({@code refusal}, {@code annotations}, {@code audio}...) are ignored.
     *
     * @param content a string, an array of {@code {"type":"text","text":...}} parts, or null (an assistant
     *                message that only calls tools)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, JsonNode content, String name, List<ToolCall> toolCalls, String toolCallId,
                          String reasoningContent) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ToolCall(String id, String type, FunctionCall function) {}

    /** @param arguments the arguments as JSON text, as OpenAI sends them */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FunctionCall(String name, String arguments) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tool(String type, Function function) {}

    /** @param parameters the JSON schema of the arguments; null = any object */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Function(String name, String description, JsonNode parameters, Boolean strict) {}

    /** @param type {@code text}, {@code json_object} or {@code json_schema} */
    public record ResponseFormat(String type, JsonSchema jsonSchema) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record JsonSchema(String name, String description, JsonNode schema, Boolean strict) {}

    public record StreamOptions(Boolean includeUsage, Boolean includeObfuscation) {}
}
