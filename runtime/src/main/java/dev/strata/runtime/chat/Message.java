package dev.strata.runtime.chat;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation.
 *
 * <pre>{@code
 * List<Message> chat = List.of(
 *         Message.system("You are terse."),
 *         Message.user("Weather in Paris?"),
 *         Message.assistantToolCalls(List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
 *         Message.tool("call_1", "get_weather", "{\"celsius\":21}"));
 * }</pre>
 *
 * @param role             who wrote it
 * @param content          the text; "" = none (an assistant message that only calls tools)
 * @param toolCalls        the tool calls of an assistant message; empty otherwise
 * @param toolCallId       for a {@link Role#TOOL} message, the id of the call it answers; "" = none
 * @param name             for a {@link Role#TOOL} message, the tool's name; "" = none
 * @param reasoningContent the assistant's reasoning, kept apart from the content; "" = none
 */
public record Message(Role role, String content, List<ToolCall> toolCalls, String toolCallId, String name,
                      String reasoningContent) {
    public Message {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        toolCallId = toolCallId == null ? "" : toolCallId;
        name = name == null ? "" : name;
        reasoningContent = reasoningContent == null ? "" : reasoningContent;
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("only an assistant message can call tools, not a " + role.wireName() + " message");
        }
    }

    public static Message system(String content) {
        return new Message(Role.SYSTEM, content, List.of(), "", "", "");
    }

    public static Message user(String content) {
        return new Message(Role.USER, content, List.of(), "", "", "");
    }

    public static Message assistant(String content) {
        return new Message(Role.ASSISTANT, content, List.of(), "", "", "");
    }

    /** An assistant turn that called tools. */
    public static Message assistantToolCalls(List<ToolCall> calls) {
        return new Message(Role.ASSISTANT, "", calls, "", "", "");
    }

    /** A tool's answer to the call with {@code toolCallId}. */
    public static Message tool(String toolCallId, String name, String content) {
        return new Message(Role.TOOL, content, List.of(), toolCallId, name, "");
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }
}
