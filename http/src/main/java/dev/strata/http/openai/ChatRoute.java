package dev.strata.http.openai;

import dev.strata.http.Admission;
import dev.strata.http.ApiError;
import dev.strata.http.ModelsDirectory;
import dev.strata.runtime.GeneratedToken;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.TokenLogprobs;
import dev.strata.runtime.chat.ChatGeneration;
import dev.strata.runtime.chat.ChatRequest;
import dev.strata.runtime.chat.ChatResult;
import dev.strata.runtime.chat.Message;
import dev.strata.runtime.chat.ToolCall;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/chat/completions}: checks the request, queues it on the model (loading the model
 * first if needed) and answers with one {@code chat.completion}, or streams {@code chat.completion.chunk}
 * events when {@code stream} is true. Errors known before the first event are HTTP errors; a stream
 * that has started ends with an {@code error} event instead.
 */
final class ChatRoute {
    static final String PATH = "/v1/chat/completions";
    private static final System.Logger LOG = System.getLogger(ChatRoute.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final Serving serving;

    ChatRoute(Serving serving) {
        this.serving = serving;
    }

    void handle(Context ctx) throws Exception {
        long deadline = serving.deadline();
        ChatCompletionRequest body = Serving.body(ctx, ChatCompletionRequest.class);
        ChatRequestMapper.Checked checked = ChatRequestMapper.check(body);
        ModelsDirectory.ServedModel served = serving.resolve(body.model());
        GenerationResult ended = null;
        try (Admission.Ticket ticket = serving.admission().admit(served.id())) {
            ChatGeneration g = serving.withModel(served.id(), model -> {
                if (model.isEmbeddingModel()) {
                    throw ApiError.badRequest("model", "'" + served.id() + "' is an embedding model; use /v1/embeddings");
                }
                ChatRequest request = checked.toChatRequest(model.contextSize());
                return served.chatTemplate().isPresent() ? model.chat(request, served.chatTemplate().get()) : model.chat(request);
            });
            ticket.track(g.generation());
            try {
                if (checked.stream()) {
                    stream(ctx, served.id(), checked, g, deadline);
                } else {
                    answer(ctx, served.id(), checked, g, deadline);
                }
            } finally {
                ended = Serving.end(g.generation());
            }
        } finally {
            serving.observe(PATH, served.id(), ended);
        }
    }

    private void answer(Context ctx, String model, ChatRequestMapper.Checked checked, ChatGeneration g, long deadline)
            throws InterruptedException {
        GenerationResult raw = Serving.await(g.generation(), deadline);
        if (raw == null) {
            g.cancel();
            throw serving.timeout();
        }
        Responses.requireFinished(raw);
        ChatResult result = parsed(g, raw);
        Message m = result.message();
        List<ChatCompletion.ToolCall> calls = null;
        if (m.hasToolCalls()) {
            calls = new ArrayList<>();
            for (ToolCall c : m.toolCalls()) {
                calls.add(new ChatCompletion.ToolCall(c.id().isEmpty() ? newToolCallId() : c.id(), "function",
                        new ChatCompletion.Function(c.name(), c.argumentsJson())));
            }
        }
        String content = m.content().isEmpty() && m.hasToolCalls() ? null : m.content();
        ChatCompletion.AssistantMessage message = new ChatCompletion.AssistantMessage("assistant", content, null, calls,
                m.reasoningContent().isEmpty() ? null : m.reasoningContent());
        ChatCompletion completion = new ChatCompletion(newId("chatcmpl-"), "chat.completion", Responses.now(), model,
                List.of(new ChatCompletion.Choice(0, message, checked.logprobs() ? Logprobs.chat(raw.logprobs()) : null,
                        finishReason(result.finishReason()))), Usage.of(raw),
                Responses.FINGERPRINT);
        Responses.json(ctx, completion);
    }

    private void stream(Context ctx, String model, ChatRequestMapper.Checked checked, ChatGeneration g, long deadline)
            throws Exception {
        TokenQueue tokens = TokenQueue.follow(g.generation());
        String id = newId("chatcmpl-");
        long created = Responses.now();
        EventStream events = new EventStream(ctx);
        try {
            ChatDeltas deltas = new ChatDeltas(g);
            events.send(chunk(id, created, model, new ChatCompletionChunk.Delta("assistant", "", null, null), null, null));
            // logprobs of tokens whose text is not sent yet (held back by the parser) ride on the next chunk
            List<TokenLogprobs> pending = new ArrayList<>();
            for (Object item = tokens.poll(deadline); item != TokenQueue.END; item = tokens.poll(deadline)) {
                if (item == TokenQueue.TIMEOUT) {
                    g.cancel();
                    events.send(Responses.errorEvent(serving.timeout()));
                    return;
                }
                GeneratedToken token = (GeneratedToken) item;
                token.logprobs().ifPresent(pending::add);
                for (ChatCompletionChunk.Delta d : deltas.onText(token.text())) {
                    events.send(chunk(id, created, model, d, null, take(pending, checked)));
                }
            }
            GenerationResult raw = g.generation().result().join();
            ApiError failed = Responses.failure(raw);
            if (failed != null) {
                events.send(Responses.errorEvent(failed));
                return;
            }
            ChatResult result = parsed(g, raw);
            for (ChatCompletionChunk.Delta d : deltas.finish(result.message())) {
                events.send(chunk(id, created, model, d, null, take(pending, checked)));
            }
            events.send(chunk(id, created, model, ChatCompletionChunk.Delta.EMPTY, finishReason(result.finishReason()),
                    take(pending, checked)));
            if (checked.includeUsage()) {
                events.send(new ChatCompletionChunk(id, "chat.completion.chunk", created, model, List.of(), Usage.of(raw),
                        Responses.FINGERPRINT));
            }
            events.done();
        } catch (EventStream.ClientGoneException gone) {
            g.cancel(); // frees the sequence within one decode step
        }
    }

    /**
     * The answer parsed in the template's format. Text that does not follow the format (free text where a
     * template wants its answer markers, possible when the model may choose between text and a call)
     * is read leniently, as llama.cpp's partial parser reads it, and is otherwise the content as
     * generated: the client gets the model's words rather than an error.
     */
    private static ChatResult parsed(ChatGeneration g, GenerationResult raw) {
        try {
            return g.result().get(1, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "answer outside its chat format, read leniently: " + e.getMessage());
            Message m = ChatDeltas.lenient(g, raw.text());
            boolean empty = m.content().isEmpty() && !m.hasToolCalls() && m.reasoningContent().isEmpty();
            return ChatResult.of(empty ? Message.assistant(raw.text()) : m, raw.finishReason());
        }
    }

    private static ChatCompletionChunk chunk(String id, long created, String model, ChatCompletionChunk.Delta delta,
                                             String finishReason, Logprobs.Chat logprobs) {
        return new ChatCompletionChunk(id, "chat.completion.chunk", created, model,
                List.of(new ChatCompletionChunk.Choice(0, delta, logprobs, finishReason)), null, Responses.FINGERPRINT);
    }

    /** The pending logprobs as the next chunk's, emptying the list; null when the client did not ask. */
    private static Logprobs.Chat take(List<TokenLogprobs> pending, ChatRequestMapper.Checked checked) {
        if (!checked.logprobs()) {
            return null;
        }
        Logprobs.Chat out = Logprobs.chat(pending);
        pending.clear();
        return out;
    }

    private static String finishReason(ChatResult.FinishReason r) {
        return switch (r) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CANCELLED, ERROR -> throw new IllegalStateException("not a finish reason of a finished answer: " + r);
        };
    }

    static String newId(String prefix) {
        return prefix + random(24);
    }

    static String newToolCallId() {
        return "call_" + random(24);
    }

    private static String random(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }
}
