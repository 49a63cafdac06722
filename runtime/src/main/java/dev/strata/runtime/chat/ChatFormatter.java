package dev.strata.runtime.chat;

import dev.strata.llama.ChatTemplateException;
import dev.strata.llama.LlamaChat;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a {@link ChatRequest} into a {@link ChatPrompt} with llama.cpp's own chat code: the model's
 * Jinja template renders the conversation and tools; a grammar derived from the template's tool-call
 * syntax, or from the response format's JSON schema, constrains sampling.
 *
 * <pre>{@code
 * ChatFormatter formatter = ChatFormatter.forModel(llamaModel);
 * ChatPrompt prompt = formatter.format(ChatRequest.of(Message.user("Name a colour."))
 *         .withResponseFormat(ResponseFormat.jsonSchema("{\"type\":\"object\",\"properties\":{\"colour\":{\"type\":\"string\"}}}")));
 * }</pre>
 *
 * <p>Tool calls use an eager grammar when a call is required, and a lazy one (idle until the
 * template's tool-call opening appears) when the model may choose. A model without a template gets
 * llama.cpp's ChatML fallback, which describes no tools; pass a template for tool use.
 *
 * <p>Ownership: does not own the model, which must stay open while this is used. Thread-safe.
 */
public final class ChatFormatter {
    /** Reasoning is always parsed apart when the template marks it ("auto" = deepseek-style extraction). */
    private static final String REASONING_FORMAT = "auto";

    private final LlamaModel model;
    private final String templateOverride;

    private ChatFormatter(LlamaModel model, String templateOverride) {
        this.model = Objects.requireNonNull(model, "model");
        this.templateOverride = templateOverride;
    }

    /** Uses the model's own chat template (or llama.cpp's ChatML fallback when it has none). */
    public static ChatFormatter forModel(LlamaModel model) {
        return new ChatFormatter(model, null);
    }

    /** Uses the given Jinja template instead of the model's. */
    public static ChatFormatter withTemplate(LlamaModel model, String jinjaTemplate) {
        return new ChatFormatter(model, Objects.requireNonNull(jinjaTemplate, "jinjaTemplate"));
    }

    /**
     * @throws IllegalArgumentException when a schema is not valid JSON or the request is invalid
     * @throws ChatTemplateException    when the template cannot render the request
     */
    public ChatPrompt format(ChatRequest request) {
        String json = LlamaChat.apply(model, ChatJson.applyRequest(request, REASONING_FORMAT), templateOverride);
        ChatJson.Applied applied = ChatJson.applied(json, REASONING_FORMAT);
        List<String> stops = new ArrayList<>(request.stop());
        applied.additionalStops().stream().filter(s -> !stops.contains(s)).forEach(stops::add);
        return new ChatPrompt(applied.prompt(), sampling(request, applied), stops, request.maxTokens(),
                applied.preservedTokens(), applied.parseFormat());
    }

    private static SamplingParams sampling(ChatRequest request, ChatJson.Applied applied) {
        SamplingParams base = request.sampling().withGrammar(null);
        if (request.grammar().isPresent()) {
            // The caller's own grammar describes the answer alone: no prefill of the template's opening.
            return base.withGrammar(request.grammar().get());
        }
        if (applied.grammar().isEmpty()) {
            return base;
        }
        if (applied.grammarLazy()) {
            if (applied.triggerPatterns().isEmpty() && applied.triggerTokens().isEmpty()) {
                throw new ChatTemplateException("llama.cpp made a lazy grammar without triggers for format " + applied.parseFormat().formatName());
            }
            return base.withLazyGrammar(applied.grammar(), applied.triggerPatterns(), applied.triggerTokens());
        }
        // Grammars from common start with the answer's opening, which the prompt already ends with.
        String opening = applied.parseFormat().generationPrompt();
        SamplingParams eager = base.withGrammar(applied.grammar());
        return opening.isEmpty() ? eager : eager.withGrammarPrefill(opening);
    }
}
