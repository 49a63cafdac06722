package dev.strata.http.openai;

import dev.strata.runtime.GeneratedToken;
import dev.strata.runtime.Generation;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The tokens of one generation handed from the decode loop to the request thread that streams them.
 * The decode loop only appends to a queue (never blocked by a slow client); the request thread waits
 * on the queue with a timeout, so it can give up at the request's deadline.
 *
 * <pre>{@code
 * TokenQueue q = TokenQueue.follow(generation);
 * for (Object item; (item = q.poll(deadline)) != TokenQueue.END; ) { ... }
 * }</pre>
 */
final class TokenQueue implements Flow.Subscriber<GeneratedToken> {
    /** Returned once the generation has ended (its result is then complete). */
    static final Object END = new Object();
    /** Returned by {@link #poll} when the deadline passed first. */
    static final Object TIMEOUT = new Object();

    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();

    private TokenQueue() {}

    static TokenQueue follow(Generation generation) {
        TokenQueue q = new TokenQueue();
        // signals run inline on the thread that emits (the decode loop): appending to the queue is all they do
        generation.publisher(Runnable::run).subscribe(q);
        return q;
    }

    /** The next token, {@link #END} or, once {@code deadlineNanos} ({@link System#nanoTime()}) has passed, {@link #TIMEOUT}. */
    Object poll(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        Object item = left <= 0 ? items.poll() : items.poll(left, TimeUnit.NANOSECONDS);
        return item == null ? TIMEOUT : item;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(GeneratedToken token) {
        items.add(token);
    }

    @Override
    public void onError(Throwable t) {
        items.add(END); // the generation's result says what failed
    }

    @Override
    public void onComplete() {
        items.add(END);
    }
}
