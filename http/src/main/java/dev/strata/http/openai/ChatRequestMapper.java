package dev.strata.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.http.ApiError;
import dev.strata.llama.SamplingParams;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.chat.ChatRequest;
import dev.strata.runtime.chat.Message;
import dev.strata.runtime.chat.ResponseFormat;
import dev.strata.runtime.chat.Role;
import dev.strata.runtime.chat.ToolCall;
import dev.strata.runtime.chat.ToolChoice;
import dev.strata.runtime.chat.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a chat completion request and turns it into the runtime's {@link ChatRequest}. Everything that
 * can be checked without the model is checked here, before the model is loaded; the token limit,
 * which depends on the model's context, is applied by {@link Checked#toChatRequest(int)}.
 *
 * <pre>{@code
 * ChatRequestMapper.Checked c = ChatRequestMapper.check(body);     // 400 ApiError for a bad parameter
 * ChatGeneration g = model.chat(c.toChatRequest(model.contextSize()));
 * }</pre>
 */
final class ChatRequestMapper {
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private ChatRequestMapper() {}

    /** A request that passed every check that does not need the model. */
    record Checked(ChatCompletionRequest body, List<Message> messages, List<ToolDefinition> tools, ToolChoice toolChoice,
                   boolean parallelToolCalls, ResponseFormat responseFormat, SamplingParams sampling, List<String> stop,
                   boolean reasoning, boolean stream, boolean includeUsage, int topLogprobs) {

        /** The limit parameter the client used, for error messages. */
        String maxTokensName() {
            return body.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        }

        ChatRequest toChatRequest(int contextSize) {
            Integer asked = body.maxCompletionTokens() != null ? body.maxCompletionTokens() : body.maxTokens();
            int max = Params.maxTokens(maxTokensName(), asked, contextSize);
            return new ChatRequest(messages, tools, toolChoice, parallelToolCalls, responseFormat, Optional.empty(), max, sampling,
                    stop, reasoning, topLogprobs);
        }

        boolean logprobs() {
            return topLogprobs != GenerationRequest.LOGPROBS_OFF;
        }

    }

    static Checked check(ChatCompletionRequest r) {
        Params.onlyOne(r.n());
        boolean logprobs = Boolean.TRUE.equals(r.logprobs());
        if (r.topLogprobs() != null) {
            if (!logprobs) {
                throw ApiError.badRequest("top_logprobs", "top_logprobs needs logprobs: true");
            }
            Params.range("top_logprobs", r.topLogprobs().doubleValue(), 0, GenerationRequest.MAX_TOP_LOGPROBS);
        }
        int topLogprobs = !logprobs ? GenerationRequest.LOGPROBS_OFF : r.topLogprobs() == null ? 0 : r.topLogprobs();
        if (r.logitBias() != null && !r.logitBias().isNull() && !(r.logitBias().isObject() && r.logitBias().isEmpty())) {
            throw ApiError.badRequest("logit_bias", "logit_bias is not supported; leave it unset");
        }
        if (r.modalities() != null && !r.modalities().isNull()) {
            for (JsonNode m : r.modalities()) {
                if (!m.asText().equals("text")) {
                    throw ApiError.badRequest("modalities", "only the text modality is served, not '" + m.asText() + "'");
                }
            }
        }
        Params.absent("audio", r.audio(), "Strata answers in text only");
        Params.absent("prediction", r.prediction(), "predicted outputs are not implemented");
        Params.absent("functions", r.functions(), "use tools, which replaced functions");
        Params.absent("function_call", r.functionCall(), "use tool_choice, which replaced function_call");
        Params.absent("web_search_options", r.webSearchOptions(), "the server has no web search");
        Params.absent("verbosity", r.verbosity(), "the answer's length follows the model and max_tokens");
        boolean reasoning = true;
        if (r.reasoningEffort() != null) {
            if (!r.reasoningEffort().equals("none")) {
                throw ApiError.badRequest("reasoning_effort", "reasoning_effort '" + r.reasoningEffort()
                        + "' is not supported; 'none' turns reasoning off, otherwise leave it unset");
            }
            reasoning = false;
        }
        if (Boolean.TRUE.equals(r.ignoreEos())) {
            throw ApiError.badRequest("ignore_eos", "ignore_eos is served by /v1/completions only: a chat answer ends where the template says");
        }
        Params.atLeast("max_tokens", r.maxTokens(), 1);
        Params.atLeast("max_completion_tokens", r.maxCompletionTokens(), 1);
        boolean stream = Boolean.TRUE.equals(r.stream());
        if (r.streamOptions() != null && !stream) {
            throw ApiError.badRequest("stream_options", "stream_options is only allowed with stream: true");
        }
        boolean includeUsage = stream && r.streamOptions() != null && Boolean.TRUE.equals(r.streamOptions().includeUsage());
        SamplingParams sampling = Params.sampling(r.temperature(), r.topP(), r.seed(), r.frequencyPenalty(),
                r.presencePenalty(), r.topK(), r.minP());
        List<String> stop = Params.stops(r.stop());
        List<Message> messages = messages(r.messages());
        List<ToolDefinition> tools = tools(r.tools());
        ToolChoice choice = ToolChoice.AUTO;
        JsonNode tc = r.toolChoice();
        if (tc != null && !tc.isNull()) {
            if (tc.isTextual()) {
                choice = switch (tc.asText()) {
                    case "auto" -> ToolChoice.AUTO;
                    case "none" -> ToolChoice.NONE;
                    case "required" -> ToolChoice.REQUIRED;
                    default -> throw ApiError.badRequest("tool_choice", "tool_choice must be 'none', 'auto', 'required' or "
                            + "{\"type\": \"function\", \"function\": {\"name\": ...}}, not '" + tc.asText() + "'");
                };
            } else if (tc.isObject() && tc.path("type").asText().equals("function") && tc.path("function").path("name").isTextual()) {
                String name = tc.path("function").path("name").asText();
                List<ToolDefinition> named = tools.stream().filter(t -> t.name().equals(name)).toList();
                if (named.isEmpty()) {
                    throw ApiError.badRequest("tool_choice", "tool_choice names the function '" + name + "', which is not among tools");
                }
                // a named choice is a required call of that one tool: the grammar then allows only it
                tools = named;
                choice = ToolChoice.REQUIRED;
            } else {
                throw ApiError.badRequest("tool_choice", "tool_choice must be 'none', 'auto', 'required' or "
                        + "{\"type\": \"function\", \"function\": {\"name\": ...}}");
            }
            if (tools.isEmpty() && choice == ToolChoice.REQUIRED) {
                throw ApiError.badRequest("tool_choice", "tool_choice 'required' needs tools");
            }
        }
        boolean parallel = r.parallelToolCalls() == null || r.parallelToolCalls();
        ResponseFormat format = responseFormat(r.responseFormat());
        if (format.type() != ResponseFormat.Type.TEXT && !tools.isEmpty() && choice != ToolChoice.NONE) {
            throw ApiError.badRequest("response_format", "a JSON response_format cannot be combined with tools the model may call");
        }
        return new Checked(r, messages, tools, choice, parallel, format, sampling, stop, reasoning, stream, includeUsage,
                topLogprobs);
    }

    private static List<Message> messages(List<ChatCompletionRequest.Message> in) {
        if (in == null || in.isEmpty()) {
            throw ApiError.badRequest("messages", "messages must be a non-empty array");
        }
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            ChatCompletionRequest.Message m = in.get(i);
            String where = "messages[" + i + "]";
            if (m == null) {
                throw ApiError.badRequest(where, where + " is null");
            }
            if (m.role() == null) {
                throw ApiError.badRequest(where + ".role", where + " has no role");
            }
            Role role = switch (m.role()) {
                case "system", "developer" -> Role.SYSTEM;
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                case "tool" -> Role.TOOL;
                default -> throw ApiError.badRequest(where + ".role", "role must be system, developer, user, assistant or tool, not '"
                        + m.role() + "'");
            };
            List<ToolCall> calls = new ArrayList<>();
            if (m.toolCalls() != null) {
                if (role != Role.ASSISTANT) {
                    throw ApiError.badRequest(where + ".tool_calls", "only assistant messages carry tool_calls");
                }
                for (int k = 0; k < m.toolCalls().size(); k++) {
                    ChatCompletionRequest.ToolCall c = m.toolCalls().get(k);
                    if (c == null || c.function() == null || c.function().name() == null) {
                        throw ApiError.badRequest(where + ".tool_calls[" + k + "].function.name", "a tool call needs function.name");
                    }
                    calls.add(new ToolCall(c.id(), c.function().name(),
                            c.function().arguments() == null ? "{}" : c.function().arguments()));
                }
            }
            String content = content(m.content(), where + ".content", role == Role.ASSISTANT);
            out.add(new Message(role, content, calls, role == Role.TOOL ? m.toolCallId() : "",
                    role == Role.TOOL ? m.name() : "", role == Role.ASSISTANT ? m.reasoningContent() : ""));
        }
        return out;
    }

    /** A string, or an array of text parts joined; null only where allowed (an assistant calling tools). */
    private static String content(JsonNode c, String where, boolean nullable) {
        if (c == null || c.isNull()) {
            if (nullable) {
                return "";
            }
            throw ApiError.badRequest(where, where + " is missing; give a string or an array of text parts");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < c.size(); i++) {
                JsonNode part = c.get(i);
                String type = part.path("type").asText();
                if (!type.equals("text") || !part.path("text").isTextual()) {
                    throw ApiError.badRequest(where + "[" + i + "]", "only text parts ({\"type\": \"text\", \"text\": ...}) are "
                            + "supported" + (type.isEmpty() ? "" : ", not '" + type + "'"));
                }
                b.append(part.get("text").asText());
            }
            return b.toString();
        }
        throw ApiError.badRequest(where, where + " must be a string or an array of text parts");
    }

    private static List<ToolDefinition> tools(List<ChatCompletionRequest.Tool> in) {
        List<ToolDefinition> out = new ArrayList<>();
        if (in == null) {
            return out;
        }
        for (int i = 0; i < in.size(); i++) {
            ChatCompletionRequest.Tool t = in.get(i);
            String where = "tools[" + i + "]";
            if (t == null || !"function".equals(t.type()) || t.function() == null) {
                throw ApiError.badRequest(where, where + " must be {\"type\": \"function\", \"function\": {...}}");
            }
            String name = t.function().name();
            if (name == null || !TOOL_NAME.matcher(name).matches()) {
                throw ApiError.badRequest(where + ".function.name", "a function name is 1 to 64 of a-z, A-Z, 0-9, '_', '.', '-'");
            }
            JsonNode params = t.function().parameters();
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ApiError.badRequest(where + ".function.parameters", "parameters must be a JSON schema object");
            }
            out.add(new ToolDefinition(name, t.function().description(),
                    params == null || params.isNull() ? null : params.toString()));
        }
        return out;
    }

    private static ResponseFormat responseFormat(ChatCompletionRequest.ResponseFormat f) {
        if (f == null || f.type() == null || f.type().equals("text")) {
            return ResponseFormat.text();
        }
        return switch (f.type()) {
            case "json_object" -> ResponseFormat.jsonObject();
            case "json_schema" -> {
                if (f.jsonSchema() == null || f.jsonSchema().schema() == null || !f.jsonSchema().schema().isObject()) {
                    throw ApiError.badRequest("response_format.json_schema.schema", "a json_schema response format needs "
                            + "json_schema.schema, a JSON schema object");
                }
                yield ResponseFormat.jsonSchema(f.jsonSchema().schema().toString());
            }
            default -> throw ApiError.badRequest("response_format.type", "response_format.type must be text, json_object or "
                    + "json_schema, not '" + f.type() + "'");
        };
    }
}
