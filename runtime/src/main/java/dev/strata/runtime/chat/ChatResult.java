package dev.strata.runtime.chat;

import java.util.Objects;

/**
 * The answer of a chat completion and why it ended.
 *
 * <pre>{@code
 * ChatResult r = ChatResult.of(parser.parse(text, format), generation.finishReason());
 * if (r.finishReason() == ChatResult.FinishReason.TOOL_CALLS) { run(r.message().toolCalls()); }
 * }</pre>
 *
 * @param message      the parsed assistant message
 * @param finishReason why generation ended, with tool calls told apart from a plain stop
 */
public record ChatResult(Message message, FinishReason finishReason) {
    /** OpenAI's finish reasons plus Strata's cancellation and error. */
    public enum FinishReason { STOP, LENGTH, TOOL_CALLS, CANCELLED, ERROR }

    public ChatResult {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(finishReason, "finishReason");
    }

    /** A generation that stopped on its own and called tools finished with TOOL_CALLS. */
    public static ChatResult of(Message message, dev.strata.runtime.FinishReason generation) {
        FinishReason reason = switch (generation) {
            case STOP -> message.hasToolCalls() ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.CANCELLED;
            case ERROR -> FinishReason.ERROR;
        };
        return new ChatResult(message, reason);
    }
}
