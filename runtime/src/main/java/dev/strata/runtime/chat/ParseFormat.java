package dev.strata.runtime.chat;

import java.util.Objects;

/**
 * What {@link ChatParser} needs to read a model's answer: llama.cpp's chat format and the parser it
 * generated for this request's template and tools. Produced by {@link ChatFormatter}; treat it as
 * opaque and keep it with the generation it belongs to.
 *
 * @param formatId         llama.cpp's {@code common_chat_format} value
 * @param formatName       its name, for logs ("peg-native", "content-only", ...)
 * @param reasoningFormat  llama.cpp's reasoning format name ("none", "auto", ...)
 * @param generationPrompt the tail of the prompt that opens the answer; the parser reads it first
 * @param parser           llama.cpp's serialized PEG parser; "" = the whole text is content
 */
public record ParseFormat(int formatId, String formatName, String reasoningFormat, String generationPrompt, String parser) {
    public ParseFormat {
        Objects.requireNonNull(formatName, "formatName");
        Objects.requireNonNull(reasoningFormat, "reasoningFormat");
        Objects.requireNonNull(generationPrompt, "generationPrompt");
        Objects.requireNonNull(parser, "parser");
    }

    /** Everything is content: no tools, no reasoning. */
    public static ParseFormat contentOnly() {
        return new ParseFormat(0, "Content-only", "none", "", "");
    }
}
