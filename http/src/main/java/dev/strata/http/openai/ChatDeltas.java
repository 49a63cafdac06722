package dev.strata.http.openai;

import dev.strata.llama.LlamaException;
import dev.strata.runtime.chat.ChatGeneration;
import dev.strata.runtime.chat.Message;
import dev.strata.runtime.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the text of a chat answer, as it grows token by token, into OpenAI's stream deltas: content and
 * reasoning as the parts added since the last event, tool calls by index with their id, type and name in
 * the first delta of each call and the arguments in pieces after. It re-parses the whole text with
 * llama.cpp's partial parser at each token (as llama-server does), and sends only what grew: text the
 * parser holds back (a possible start of a tool call) is sent once it is known to be content.
 *
 * <p>Not thread-safe: one per stream, used by the thread that writes it.
 */
final class ChatDeltas {
    private final ChatGeneration generation;
    private final StringBuilder text = new StringBuilder();
    private String content = "";
    private String reasoning = "";
    private final List<String> ids = new ArrayList<>();
    private final List<String> arguments = new ArrayList<>();

    ChatDeltas(ChatGeneration generation) {
        this.generation = generation;
    }

    /** The deltas that a new piece of generated text makes; empty when the parsed answer did not grow. */
    List<ChatCompletionChunk.Delta> onText(String piece) {
        if (piece.isEmpty()) {
            return List.of();
        }
        text.append(piece);
        return diff(lenient(generation, text.toString()));
    }

    /**
     * What llama.cpp's partial parser reads in {@code text}; the whole text as content when even that
     * parser refuses it (free text where the template expects its answer markers).
     */
    static Message lenient(ChatGeneration g, String text) {
        try {
            return g.partial(text);
        } catch (LlamaException outsideTheFormat) {
            return Message.assistant(text);
        }
    }

    /** The deltas left once the whole answer is parsed. */
    List<ChatCompletionChunk.Delta> finish(Message complete) {
        return diff(complete);
    }

    /** The id sent for each tool call, in order: the parser's, or one made up when the model wrote none. */
    List<String> toolCallIds() {
        return List.copyOf(ids);
    }

    private List<ChatCompletionChunk.Delta> diff(Message m) {
        List<ChatCompletionChunk.Delta> out = new ArrayList<>();
        String reasoningAdded = grown(reasoning, m.reasoningContent());
        if (!reasoningAdded.isEmpty()) {
            reasoning = m.reasoningContent();
            out.add(new ChatCompletionChunk.Delta(null, null, reasoningAdded, null));
        }
        String contentAdded = grown(content, m.content());
        if (!contentAdded.isEmpty()) {
            content = m.content();
            out.add(new ChatCompletionChunk.Delta(null, contentAdded, null, null));
        }
        List<ChatCompletionChunk.ToolCallDelta> calls = new ArrayList<>();
        for (int i = 0; i < m.toolCalls().size(); i++) {
            ToolCall c = m.toolCalls().get(i);
            if (i >= ids.size()) {
                if (c.name().isEmpty()) {
                    break; // the name is still being written: the call starts in a later delta
                }
                ids.add(c.id().isEmpty() ? ChatRoute.newToolCallId() : c.id());
                arguments.add(c.argumentsJson());
                calls.add(new ChatCompletionChunk.ToolCallDelta(i, ids.get(i), "function",
                        new ChatCompletionChunk.FunctionDelta(c.name(), c.argumentsJson())));
            } else {
                String added = grown(arguments.get(i), c.argumentsJson());
                if (!added.isEmpty()) {
                    arguments.set(i, c.argumentsJson());
                    calls.add(new ChatCompletionChunk.ToolCallDelta(i, null, null, new ChatCompletionChunk.FunctionDelta(null, added)));
                }
            }
        }
        if (!calls.isEmpty()) {
            out.add(new ChatCompletionChunk.Delta(null, null, null, calls));
        }
        return out;
    }

    /** What {@code now} adds to {@code before}; "" when it did not grow (or changed what was already sent). */
    private static String grown(String before, String now) {
        return now.length() > before.length() && now.startsWith(before) ? now.substring(before.length()) : "";
    }
}
