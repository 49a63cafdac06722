package dev.strata.llama;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * llama.cpp's common chat code: chat templates with tools and response formats, parsing of
 * generated text back into a message, and JSON schema → GBNF. Documents cross as JSON text in the
 * OpenAI-compatible shapes of llama.cpp's server; {@code dev.strata.runtime.chat} wraps them in
 * records, so most callers want that package instead.
 *
 * <pre>{@code
 * String gbnf = LlamaChat.jsonSchemaToGrammar(backend, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}");
 * String applied = LlamaChat.apply(model, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null);
 * }</pre>
 *
 * <p>Stateless and thread-safe; holds nothing native. The backend argument proves the native library
 * is loaded.
 */
public final class LlamaChat {
    /**
     * The deepest nesting of arrays and objects a JSON document given here may have; deeper ones are
     * refused with {@link IllegalArgumentException} before llama.cpp, whose JSON code recurses on the
     * native stack, sees them. Far above what a chat request or a response schema needs.
     */
    public static final int MAX_JSON_DEPTH = 256;

    private LlamaChat() {}

    /**
     * Applies a chat request to the model's template, or to {@code templateOverride} (Jinja source)
     * when not null. The request and result fields are listed at {@code LlamaNative.chatApply}:
     * request messages, tools, tool_choice, parallel_tool_calls, json_schema | grammar,
     * reasoning_format, add_generation_prompt, enable_thinking, chat_template_kwargs; result prompt,
     * format, grammar, grammar_lazy, trigger_patterns, trigger_tokens, additional_stops,
     * generation_prompt, parser and more.
     *
     * @throws IllegalArgumentException when the request is not valid JSON, nests deeper than
     *                                  {@link #MAX_JSON_DEPTH} or has invalid fields
     * @throws ChatTemplateException    when the template cannot render the request
     */
    public static String apply(LlamaModel model, String requestJson, String templateOverride) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestJson, "requestJson");
        JsonNesting.requireAtMost(requestJson, MAX_JSON_DEPTH, "the chat request");
        byte[] override = templateOverride == null ? null : utf8(templateOverride);
        return text(LlamaNative.chatApply(model.pointer(), utf8(requestJson), override));
    }

    /**
     * Parses generated text into {@code {role, content, reasoning_content, tool_calls:[{id, name,
     * arguments}]}}. {@code parserParamsJson} holds format, reasoning_format, generation_prompt and
     * parser as {@link #apply} returned them, and optionally parse_tool_calls. A partial parse (text
     * still streaming) returns what is complete so far instead of failing.
     *
     * @throws IllegalArgumentException when the parameters are not valid
     * @throws ChatTemplateException    when complete text does not match the format
     */
    public static String parse(LlamaBackend backend, String generated, boolean partial, String parserParamsJson) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(generated, "generated text");
        Objects.requireNonNull(parserParamsJson, "parserParamsJson");
        JsonNesting.requireAtMost(parserParamsJson, MAX_JSON_DEPTH, "the parser parameters");
        return text(LlamaNative.chatParse(utf8(generated), partial, utf8(parserParamsJson)));
    }

    /**
     * A GBNF grammar (root rule {@code root}) whose sentences are the JSON values the schema accepts.
     *
     * @throws IllegalArgumentException when the schema is not valid JSON
     * @throws GrammarException         when the schema uses something the converter does not support
     */
    public static String jsonSchemaToGrammar(LlamaBackend backend, String schemaJson) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(schemaJson, "schemaJson");
        JsonNesting.requireAtMost(schemaJson, MAX_JSON_DEPTH, "the JSON schema");
        return text(LlamaNative.jsonSchemaToGrammar(utf8(schemaJson)));
    }

    private static byte[] utf8(String s) {
        return Objects.requireNonNull(s).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
