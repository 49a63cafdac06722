package dev.strata.runtime.chat;

import dev.strata.llama.SamplingParams;
import dev.strata.runtime.GenerationRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat completion request: the conversation, the tools the model may call, the answer's format,
 * and how to sample it.
 *
 * <pre>{@code
 * ChatRequest req = ChatRequest.of(List.of(Message.user("Weather in Paris?")))
 *         .withTools(List.of(weather), ToolChoice.AUTO)
 *         .withMaxTokens(256)
 *         .withSampling(SamplingParams.defaults().withSeed(7));
 * }</pre>
 *
 * @param messages          the conversation so far; not empty
 * @param tools             functions the model may call; empty = none
 * @param toolChoice        whether it may, must or must not call one (ignored without tools)
 * @param parallelToolCalls whether one answer may hold several calls
 * @param responseFormat    text, any JSON object, or JSON matching a schema
 * @param grammar           a raw GBNF grammar for the answer instead of a response format; not with tools
 * @param maxTokens         most tokens to generate (>= 1)
 * @param sampling          how tokens are chosen; its grammar fields are replaced by the formatter's
 * @param stop              strings that end the answer (not included in it); the template may add more
 * @param reasoning         true = a thinking model may reason first (kept apart in
 *                          {@link Message#reasoningContent}); false = the template is asked not to think
 * @param topLogprobs       {@link GenerationRequest#LOGPROBS_OFF} (the default): none; 0 to 20: each generated
 *                          token carries its logprob and this many alternatives, as in
 *                          {@link GenerationRequest#withLogprobs(int)}
 */
public record ChatRequest(List<Message> messages, List<ToolDefinition> tools, ToolChoice toolChoice,
                          boolean parallelToolCalls, ResponseFormat responseFormat, Optional<String> grammar,
                          int maxTokens, SamplingParams sampling, List<String> stop, boolean reasoning, int topLogprobs) {
    public ChatRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        tools = tools == null ? List.of() : List.copyOf(tools);
        toolChoice = toolChoice == null ? ToolChoice.AUTO : toolChoice;
        responseFormat = responseFormat == null ? ResponseFormat.text() : responseFormat;
        grammar = grammar == null ? Optional.empty() : grammar;
        Objects.requireNonNull(sampling, "sampling");
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, not " + maxTokens);
        }
        if (grammar.isPresent() && responseFormat.type() != ResponseFormat.Type.TEXT) {
            throw new IllegalArgumentException("give either a grammar or a JSON response format, not both");
        }
        if (grammar.isPresent() && !tools.isEmpty() && toolChoice != ToolChoice.NONE) {
            throw new IllegalArgumentException("a custom grammar cannot be combined with tools");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        if (topLogprobs < GenerationRequest.LOGPROBS_OFF || topLogprobs > GenerationRequest.MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top logprobs must be 0 to " + GenerationRequest.MAX_TOP_LOGPROBS + " (or "
                    + GenerationRequest.LOGPROBS_OFF + " for none), not " + topLogprobs);
        }
    }

    /** Without log-probabilities. */
    public ChatRequest(List<Message> messages, List<ToolDefinition> tools, ToolChoice toolChoice, boolean parallelToolCalls,
                       ResponseFormat responseFormat, Optional<String> grammar, int maxTokens, SamplingParams sampling,
                       List<String> stop, boolean reasoning) {
        this(messages, tools, toolChoice, parallelToolCalls, responseFormat, grammar, maxTokens, sampling, stop, reasoning,
                GenerationRequest.LOGPROBS_OFF);
    }

    /** No tools, text answer, 512 tokens, greedy, reasoning allowed. */
    public static ChatRequest of(List<Message> messages) {
        return new ChatRequest(messages, List.of(), ToolChoice.AUTO, false, ResponseFormat.text(), Optional.empty(), 512,
                SamplingParams.greedy(), List.of(), true);
    }

    public static ChatRequest of(Message... messages) {
        return of(List.of(messages));
    }

    public ChatRequest withTools(List<ToolDefinition> t, ToolChoice choice) {
        return new ChatRequest(messages, t, choice, parallelToolCalls, responseFormat, grammar, maxTokens, sampling,
                stop, reasoning, topLogprobs);
    }

    public ChatRequest withParallelToolCalls(boolean parallel) {
        return new ChatRequest(messages, tools, toolChoice, parallel, responseFormat, grammar, maxTokens, sampling,
                stop, reasoning, topLogprobs);
    }

    public ChatRequest withResponseFormat(ResponseFormat format) {
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, format, grammar, maxTokens, sampling,
                stop, reasoning, topLogprobs);
    }

    public ChatRequest withGrammar(String gbnf) {
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, Optional.ofNullable(gbnf), maxTokens,
                sampling, stop, reasoning, topLogprobs);
    }

    public ChatRequest withMaxTokens(int n) {
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, grammar, n, sampling,
                stop, reasoning, topLogprobs);
    }

    public ChatRequest withSampling(SamplingParams s) {
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, grammar, maxTokens, s,
                stop, reasoning, topLogprobs);
    }

    public ChatRequest withStop(List<String> strings) {
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, grammar, maxTokens, sampling, strings,
                reasoning, topLogprobs);
    }

    /** Each generated token carries its logprob and the {@code top} (0 to 20) most likely alternatives. */
    public ChatRequest withLogprobs(int top) {
        if (top < 0 || top > GenerationRequest.MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top logprobs must be 0 to " + GenerationRequest.MAX_TOP_LOGPROBS + ", not " + top);
        }
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, grammar, maxTokens, sampling, stop,
                reasoning, top);
    }

    public ChatRequest withReasoning(boolean on) {
        return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, grammar, maxTokens,
                sampling, stop, on, topLogprobs);
    }
}
