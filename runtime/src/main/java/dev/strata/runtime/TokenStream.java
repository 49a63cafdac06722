package dev.strata.runtime;

import dev.strata.llama.Batch;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaException;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.Sampler;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Generated tokens, produced one per {@link #next()} on the caller's thread. Closing the stream
 * early ends the generation with {@link FinishReason#CANCELLED} and frees the model for the next
 * request; {@link #result()} is available once the stream is exhausted or closed.
 *
 * <pre>{@code
 * try (TokenStream stream = model.generate(GenerationRequest.of("Once upon a time"))) {
 *     stream.forEachRemaining(t -> System.out.print(t.text()));
 *     System.out.println(stream.result().tokensPerSecond() + " tokens/s");
 * }
 * }</pre>
 *
 * Not thread-safe: iterate from one thread.
 */
public final class TokenStream implements Iterator<GeneratedToken>, AutoCloseable {
    private final LlamaModel model;
    private final LlamaContext context;
    private final Sampler sampler;
    private final Runnable release;
    private final int maxTokens;
    private final int promptTokens;
    private final double promptMillis;
    private final Batch batch = new Batch(1);
    private final Utf8Assembler utf8 = new Utf8Assembler();
    private final StringBuilder text = new StringBuilder();

    private int position;
    private int lastIndex;
    private int generated;
    private boolean contextFull;
    private long firstTokenNanos;
    private long lastTokenNanos;
    private GeneratedToken lookahead;
    private GenerationResult result;

    TokenStream(LlamaModel model, LlamaContext context, Sampler sampler, Runnable release, int maxTokens,
                int promptTokens, int lastIndex, double promptMillis) {
        this.model = model;
        this.context = context;
        this.sampler = sampler;
        this.release = release;
        this.maxTokens = maxTokens;
        this.promptTokens = promptTokens;
        this.position = promptTokens;
        this.lastIndex = lastIndex;
        this.promptMillis = promptMillis;
    }

    @Override
    public boolean hasNext() {
        if (lookahead == null && result == null) {
            try {
                lookahead = step();
            } catch (RuntimeException e) {
                finish(FinishReason.ERROR); // frees the model for the next request before rethrowing
                throw e;
            }
        }
        return lookahead != null;
    }

    @Override
    public GeneratedToken next() {
        if (!hasNext()) {
            throw new NoSuchElementException("generation finished: " + result.finishReason());
        }
        GeneratedToken t = lookahead;
        lookahead = null;
        return t;
    }

    /** Samples one token and feeds it back; null once the generation has ended. */
    private GeneratedToken step() {
        if (generated >= maxTokens || contextFull) {
            return finish(FinishReason.LENGTH);
        }
        int token = sampler.sample(context, lastIndex);
        long now = System.nanoTime();
        if (generated == 0) {
            firstTokenNanos = now;
        }
        lastTokenNanos = now;
        if (model.isEndOfGeneration(token)) {
            return finish(FinishReason.STOP);
        }
        generated++;
        String piece = utf8.append(model.tokenPiece(token, false));
        text.append(piece);
        GeneratedToken out = new GeneratedToken(token, piece);
        if (generated < maxTokens) {
            if (position >= context.contextSize()) {
                contextFull = true; // this token is delivered; the next step ends with LENGTH
                return out;
            }
            batch.clear();
            lastIndex = batch.add(token, position++, 0, true);
            DecodeStatus status = context.decode(batch);
            if (status != DecodeStatus.OK) {
                throw new LlamaException("decode failed while generating at position " + (position - 1) + ": " + status);
            }
        }
        return out;
    }

    private GeneratedToken finish(FinishReason reason) {
        if (result == null) {
            text.append(utf8.finish());
            double genMillis = generated > 0 ? (lastTokenNanos - firstTokenNanos) / 1e6 : 0.0;
            result = new GenerationResult(text.toString(), reason, promptTokens, generated, promptMillis, genMillis);
            release.run();
        }
        return null;
    }

    /** The summary; throws until the stream is exhausted or closed. */
    public GenerationResult result() {
        if (result == null) {
            throw new IllegalStateException("generation still running; exhaust or close the stream first");
        }
        return result;
    }

    /** Ends the generation (CANCELLED if it was still running) and frees the model. Safe twice. */
    @Override
    public void close() {
        finish(FinishReason.CANCELLED);
    }
}
