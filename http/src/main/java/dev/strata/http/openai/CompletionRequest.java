package dev.strata.http.openai;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/completions} (OpenAI's legacy text completions). {@code prompt} is a
 * string, an array of one string, or an array of token ids; {@code max_tokens} defaults to 16 as in
 * OpenAI's API; {@code logprobs} (0 to 20) gives each token's logprob and that many alternatives.
 * {@code n} and {@code best_of} above 1, {@code echo}, {@code suffix} and {@code logit_bias} are refused
 * with a 400 that names them.
 */
public record CompletionRequest(
        String model, JsonNode prompt, Boolean stream, ChatCompletionRequest.StreamOptions streamOptions, Integer maxTokens,
        Double temperature, Double topP, Long seed, JsonNode stop, Double frequencyPenalty, Double presencePenalty,
        Integer n, Integer bestOf, Boolean echo, String suffix, Integer logprobs, JsonNode logitBias, String user,
        // llama.cpp extensions
        Integer topK, Double minP, Boolean ignoreEos) {}
