package dev.strata.runtime.chat;

import dev.strata.runtime.FinishReason;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationResult;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A chat answer being generated: the raw tokens through {@link #generation()}, the parsed answer
 * through {@link #result()} and, while it runs, what is parsed so far through {@link #partial(String)}.
 *
 * <pre>{@code
 * try (ChatGeneration g = model.chat(request)) {
 *     ChatResult r = g.result().join();
 *     System.out.println(r.message().content() + " " + r.message().toolCalls());
 * }
 * }</pre>
 */
public final class ChatGeneration implements AutoCloseable {
    private final Generation generation;
    private final ParseFormat format;
    private final ChatParser parser;

    public ChatGeneration(Generation generation, ParseFormat format, ChatParser parser) {
        this.generation = Objects.requireNonNull(generation, "generation");
        this.format = Objects.requireNonNull(format, "format");
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /** The underlying generation: its tokens are the answer's raw text, its result the statistics. */
    public Generation generation() {
        return generation;
    }

    public ParseFormat parseFormat() {
        return format;
    }

    /**
     * The parsed answer once generation ends. An answer that does not follow the format (a broken
     * tool call) completes the future exceptionally with {@link dev.strata.llama.ChatTemplateException};
     * a generation that failed gives a result with {@link ChatResult.FinishReason#ERROR} and the raw text.
     */
    public CompletableFuture<ChatResult> result() {
        return generation.result().thenApply(this::parse);
    }

    /** The statistics of the raw generation (tokens, timings, cached prefix). */
    public CompletableFuture<GenerationResult> generationResult() {
        return generation.result();
    }

    /** What the text generated so far says, never failing on a half-written tool call. */
    public Message partial(String textSoFar) {
        return parser.parsePartial(textSoFar, format);
    }

    private ChatResult parse(GenerationResult r) {
        if (r.finishReason() == FinishReason.ERROR || r.finishReason() == FinishReason.CANCELLED) {
            return ChatResult.of(parser.parsePartial(r.text(), format), r.finishReason());
        }
        // a length cut can leave a tool call half-written: read what is complete
        Message m = r.finishReason() == FinishReason.LENGTH ? parser.parsePartial(r.text(), format)
                : parser.parse(r.text(), format);
        return ChatResult.of(m, r.finishReason());
    }

    public void cancel() {
        generation.cancel();
    }

    @Override
    public void close() {
        generation.cancel();
    }
}
