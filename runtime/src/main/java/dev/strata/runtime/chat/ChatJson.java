package dev.strata.runtime.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON documents that cross into llama.cpp's chat code ({@code dev.strata.llama.LlamaChat}):
 * OpenAI-compatible messages and tools going in, template results and parsed messages coming out.
 * Kept in one place so that the records stay free of wire names.
 */
final class ChatJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ChatJson() {}

    /** The apply request for {@code LlamaChat.apply}. */
    static String applyRequest(ChatRequest r, String reasoningFormat) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode messages = root.putArray("messages");
        for (Message m : r.messages()) {
            messages.add(message(m));
        }
        if (!r.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolDefinition t : r.tools()) {
                ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
                fn.put("name", t.name()).put("description", t.description());
                fn.set("parameters", parse(t.parametersJsonSchema(), "the parameters schema of tool '" + t.name() + "'"));
            }
            root.put("tool_choice", r.toolChoice().wireName());
            root.put("parallel_tool_calls", r.parallelToolCalls());
        }
        r.responseFormat().effectiveSchema().ifPresent(s -> root.set("json_schema", parse(s, "the response format's JSON schema")));
        r.grammar().ifPresent(g -> root.put("grammar", g));
        root.put("reasoning_format", reasoningFormat);
        root.put("enable_thinking", r.reasoning());
        root.put("add_generation_prompt", true);
        return write(root);
    }

    private static ObjectNode message(Message m) {
        ObjectNode node = MAPPER.createObjectNode().put("role", m.role().wireName()).put("content", m.content());
        if (m.hasToolCalls()) {
            ArrayNode calls = node.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject().put("type", "function");
                if (!c.id().isEmpty()) {
                    call.put("id", c.id());
                }
                call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
            }
        }
        if (!m.toolCallId().isEmpty()) {
            node.put("tool_call_id", m.toolCallId());
        }
        if (!m.name().isEmpty()) {
            node.put("name", m.name());
        }
        if (!m.reasoningContent().isEmpty()) {
            node.put("reasoning_content", m.reasoningContent());
        }
        return node;
    }

    /** The applied template as read from {@code LlamaChat.apply}'s result. */
    record Applied(String prompt, String grammar, boolean grammarLazy, List<String> triggerPatterns,
                   List<Integer> triggerTokens, List<String> additionalStops, List<String> preservedTokens,
                   ParseFormat parseFormat) {}

    static Applied applied(String json, String reasoningFormat) {
        JsonNode n = parse(json, "llama.cpp's chat template result");
        List<String> patterns = new ArrayList<>();
        n.path("trigger_patterns").forEach(p -> patterns.add(p.asText()));
        List<Integer> tokens = new ArrayList<>();
        n.path("trigger_tokens").forEach(t -> tokens.add(t.asInt()));
        List<String> stops = new ArrayList<>();
        n.path("additional_stops").forEach(s -> stops.add(s.asText()));
        List<String> preserved = new ArrayList<>();
        n.path("preserved_tokens").forEach(s -> preserved.add(s.asText()));
        ParseFormat format = new ParseFormat(n.path("format").asInt(), n.path("format_name").asText(), reasoningFormat,
                n.path("generation_prompt").asText(), n.path("parser").asText());
        return new Applied(n.path("prompt").asText(), n.path("grammar").asText(), n.path("grammar_lazy").asBoolean(), patterns,
                tokens, stops, preserved, format);
    }

    /** The parser parameters for {@code LlamaChat.parse}. */
    static String parserParams(ParseFormat f) {
        return write(MAPPER.createObjectNode().put("format", f.formatId()).put("reasoning_format", f.reasoningFormat())
                .put("generation_prompt", f.generationPrompt()).put("parser", f.parser()));
    }

    /** A message as {@code LlamaChat.parse} returns it. */
    static Message parsedMessage(String json) {
        JsonNode n = parse(json, "llama.cpp's parsed message");
        List<ToolCall> calls = new ArrayList<>();
        n.path("tool_calls").forEach(c -> calls.add(new ToolCall(c.path("id").asText(), c.path("name").asText(),
                c.path("arguments").asText())));
        return new Message(Role.ASSISTANT, n.path("content").asText(), calls, "", "", n.path("reasoning_content").asText());
    }

    /** Parses JSON text; {@code what} names it in the message of the IllegalArgumentException. */
    static JsonNode parse(String text, String what) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree built in memory", e);
        }
    }
}
