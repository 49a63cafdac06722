package dev.strata.runtime;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The tokens of one {@link Generation}, as an iterator that blocks until each is generated.
 * Closing the stream cancels the generation if it is still running.
 *
 * <pre>{@code
 * try (TokenStream stream = model.generate(GenerationRequest.of("Once upon a time"))) {
 *     stream.forEachRemaining(t -> System.out.print(t.text()));
 *     System.out.println(stream.result().tokensPerSecond() + " tokens/s");
 * }
 * }</pre>
 *
 * Not thread-safe: iterate from one thread (other threads may read the same generation through
 * their own streams).
 */
public final class TokenStream implements Iterator<GeneratedToken>, AutoCloseable {
    private final Generation generation;
    private int next;
    private GeneratedToken lookahead;
    private boolean ended;

    TokenStream(Generation generation) {
        this.generation = generation;
    }

    /**
     * Waits for the next token; false once the generation has ended.
     *
     * @throws GenerationFailedException when the generation ended with {@link FinishReason#ERROR}
     */
    @Override
    public boolean hasNext() {
        if (lookahead == null && !ended) {
            try {
                lookahead = generation.await(next);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                generation.cancel();
                throw new IllegalStateException("interrupted while waiting for a token; the generation was cancelled", e);
            }
            if (lookahead == null) {
                ended = true;
                GenerationResult r = generation.finished();
                if (r.finishReason() == FinishReason.ERROR) {
                    throw new GenerationFailedException(r);
                }
            } else {
                next++;
            }
        }
        return lookahead != null;
    }

    @Override
    public GeneratedToken next() {
        if (!hasNext()) {
            throw new NoSuchElementException("generation finished: " + generation.finished().finishReason());
        }
        GeneratedToken t = lookahead;
        lookahead = null;
        return t;
    }

    /** The generation this stream reads. */
    public Generation generation() {
        return generation;
    }

    /**
     * The summary. Waits for it when the stream was exhausted or closed (a cancelled generation ends
     * within one decode step); throws while tokens remain unread and the stream is open.
     */
    public GenerationResult result() {
        if (!ended && !generation.isDone() && !generation.cancelRequested()) {
            throw new IllegalStateException("generation still running; exhaust or close the stream first");
        }
        return generation.result().join();
    }

    /** Cancels the generation if it is still running. Safe twice. */
    @Override
    public void close() {
        generation.cancel();
    }
}
