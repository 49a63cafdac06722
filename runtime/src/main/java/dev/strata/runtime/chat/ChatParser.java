package dev.strata.runtime.chat;

import dev.strata.llama.ChatTemplateException;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaChat;
import java.util.Objects;

/**
 * Reads a model's generated answer back into a {@link Message}: content, reasoning kept apart, and
 * tool calls with JSON arguments, in the syntax of the template that {@link ChatFormatter} used.
 *
 * <pre>{@code
 * ChatParser parser = new ChatParser(LlamaBackend.get());
 * Message answer = parser.parse(generatedText, prompt.parseFormat());  // text ended at a stop, as Model.submit ends it
 * answer.toolCalls().forEach(c -> System.out.println(c.name() + " " + c.argumentsJson()));
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ChatParser {
    private final LlamaBackend backend;

    /** The backend proves the native library is loaded; nothing is owned. */
    public ChatParser(LlamaBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * Parses a complete answer (pass the text only, without the prompt).
     *
     * @throws ChatTemplateException when the text does not follow the format (e.g. a broken tool call)
     */
    public Message parse(String generated, ParseFormat format) {
        return parse(generated, format, false);
    }

    /**
     * Parses an answer that is still being generated: what is complete so far, never failing on a
     * half-written tool call. For streaming deltas, compare successive results.
     */
    public Message parsePartial(String generatedSoFar, ParseFormat format) {
        return parse(generatedSoFar, format, true);
    }

    private Message parse(String generated, ParseFormat format, boolean partial) {
        Objects.requireNonNull(generated, "generated");
        Objects.requireNonNull(format, "format");
        return ChatJson.parsedMessage(LlamaChat.parse(backend, generated, partial, ChatJson.parserParams(format)));
    }
}
