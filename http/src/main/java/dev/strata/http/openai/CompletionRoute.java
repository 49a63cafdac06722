package dev.strata.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.http.Admission;
import dev.strata.http.ApiError;
import dev.strata.http.ModelsDirectory;
import dev.strata.llama.SamplingParams;
import dev.strata.runtime.GeneratedToken;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.TokenLogprobs;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions}: a prompt (text or token ids) continued by the model, answered whole or
 * streamed as {@code text_completion} events.
 */
final class CompletionRoute {
    static final String PATH = "/v1/completions";
    /** OpenAI's default for this route. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    private final Serving serving;

    CompletionRoute(Serving serving) {
        this.serving = serving;
    }

    void handle(Context ctx) throws Exception {
        long deadline = serving.deadline();
        CompletionRequest r = Serving.body(ctx, CompletionRequest.class);
        Params.onlyOne(r.n());
        if (r.bestOf() != null && r.bestOf() != 1) {
            throw ApiError.badRequest("best_of", "best_of must be 1: Strata generates one candidate per request");
        }
        if (Boolean.TRUE.equals(r.echo())) {
            throw ApiError.badRequest("echo", "echo is not supported; the client has the prompt");
        }
        Params.absent("suffix", r.suffix(), "fill-in-the-middle is not implemented");
        if (r.logprobs() != null) {
            Params.range("logprobs", r.logprobs().doubleValue(), 0, GenerationRequest.MAX_TOP_LOGPROBS);
        }
        if (r.logitBias() != null && !r.logitBias().isNull() && !(r.logitBias().isObject() && r.logitBias().isEmpty())) {
            throw ApiError.badRequest("logit_bias", "logit_bias is not supported; leave it unset");
        }
        Params.atLeast("max_tokens", r.maxTokens(), 1);
        boolean stream = Boolean.TRUE.equals(r.stream());
        if (r.streamOptions() != null && !stream) {
            throw ApiError.badRequest("stream_options", "stream_options is only allowed with stream: true");
        }
        boolean includeUsage = stream && r.streamOptions() != null && Boolean.TRUE.equals(r.streamOptions().includeUsage());
        SamplingParams sampling = Params.sampling(r.temperature(), r.topP(), r.seed(), r.frequencyPenalty(), r.presencePenalty(),
                r.topK(), r.minP());
        List<String> stop = Params.stops(r.stop());
        GenerationRequest base = prompt(r.prompt()).withSampling(sampling).withStop(stop)
                .withIgnoreEos(Boolean.TRUE.equals(r.ignoreEos()));
        GenerationRequest request = r.logprobs() == null ? base : base.withLogprobs(r.logprobs());
        ModelsDirectory.ServedModel served = serving.resolve(r.model());
        GenerationResult ended = null;
        try (Admission.Ticket ticket = serving.admission().admit(served.id())) {
            Generation g = serving.withModel(served.id(), model -> {
                if (model.isEmbeddingModel()) {
                    throw ApiError.badRequest("model", "'" + served.id() + "' is an embedding model; use /v1/embeddings");
                }
                int max = Params.maxTokens("max_tokens", r.maxTokens() == null ? DEFAULT_MAX_TOKENS : r.maxTokens(),
                        model.contextSize());
                return model.submit(request.withMaxTokens(max));
            });
            ticket.track(g);
            try {
                if (stream) {
                    stream(ctx, served.id(), g, includeUsage, r.logprobs() != null, deadline);
                } else {
                    GenerationResult result = Serving.await(g, deadline);
                    if (result == null) {
                        g.cancel();
                        throw serving.timeout();
                    }
                    Responses.requireFinished(result);
                    Responses.json(ctx, new TextCompletion(ChatRoute.newId("cmpl-"), "text_completion", Responses.now(),
                            served.id(), List.of(new TextCompletion.Choice(result.text(), 0,
                            r.logprobs() == null ? null : Logprobs.text(result.logprobs(), 0),
                            Responses.finishReason(result.finishReason()))), Usage.of(result), Responses.FINGERPRINT));
                }
            } finally {
                ended = Serving.end(g);
            }
        } finally {
            serving.observe(PATH, served.id(), ended);
        }
    }

    private void stream(Context ctx, String model, Generation g, boolean includeUsage, boolean logprobs, long deadline)
            throws Exception {
        TokenQueue tokens = TokenQueue.follow(g);
        String id = ChatRoute.newId("cmpl-");
        long created = Responses.now();
        EventStream events = new EventStream(ctx);
        List<TokenLogprobs> pending = new ArrayList<>();
        int sent = 0;
        try {
            for (Object item = tokens.poll(deadline); item != TokenQueue.END; item = tokens.poll(deadline)) {
                if (item == TokenQueue.TIMEOUT) {
                    g.cancel();
                    events.send(Responses.errorEvent(serving.timeout()));
                    return;
                }
                GeneratedToken token = (GeneratedToken) item;
                token.logprobs().ifPresent(pending::add);
                if (!token.text().isEmpty()) {
                    events.send(chunk(id, created, model, token.text(), null, logprobs ? Logprobs.text(pending, sent) : null));
                    sent += token.text().length();
                    pending.clear();
                }
            }
            GenerationResult result = g.result().join();
            ApiError failed = Responses.failure(result);
            if (failed != null) {
                events.send(Responses.errorEvent(failed));
                return;
            }
            events.send(chunk(id, created, model, "", Responses.finishReason(result.finishReason()),
                    logprobs && !pending.isEmpty() ? Logprobs.text(pending, sent) : null));
            if (includeUsage) {
                events.send(new TextCompletion(id, "text_completion", created, model, List.of(), Usage.of(result),
                        Responses.FINGERPRINT));
            }
            events.done();
        } catch (EventStream.ClientGoneException gone) {
            g.cancel();
        }
    }

    private static TextCompletion chunk(String id, long created, String model, String text, String finish, Logprobs.Text logprobs) {
        return new TextCompletion(id, "text_completion", created, model, List.of(new TextCompletion.Choice(text, 0, logprobs, finish)),
                null, Responses.FINGERPRINT);
    }

    /** A string, an array of one string, an array of token ids, or an array of one such array. */
    private static GenerationRequest prompt(JsonNode p) {
        return prompt(p, false);
    }

    /** {@code inner}: p is the one element of the outer array, which may not wrap another array again. */
    private static GenerationRequest prompt(JsonNode p, boolean inner) {
        if (p == null || p.isNull()) {
            throw ApiError.badRequest("prompt", "prompt is missing: give a string or an array of token ids");
        }
        if (p.isTextual()) {
            if (p.asText().isEmpty()) {
                throw ApiError.badRequest("prompt", "prompt must not be empty");
            }
            return GenerationRequest.of(p.asText());
        }
        if (!inner && p.isArray() && p.size() == 1 && (p.get(0).isTextual() || p.get(0).isArray())) {
            return prompt(p.get(0), true);
        }
        if (p.isArray() && !p.isEmpty()) {
            int[] tokens = new int[p.size()];
            for (int i = 0; i < p.size(); i++) {
                if (!p.get(i).isIntegralNumber() || !p.get(i).canConvertToInt()) {
                    throw ApiError.badRequest("prompt", "prompt must be a string, an array of token ids, or an array of one of"
                            + " them (one prompt per request); element " + i + " is " + p.get(i).getNodeType().name().toLowerCase());
                }
                tokens[i] = p.get(i).asInt();
            }
            return GenerationRequest.ofTokens(tokens);
        }
        throw ApiError.badRequest("prompt", "prompt must be a non-empty string or array of token ids (one prompt per request)");
    }
}
