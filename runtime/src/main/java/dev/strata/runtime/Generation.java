package dev.strata.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One request submitted to a {@link Model}: its tokens as they are generated, and its result.
 * The model's decode loop produces them; any number of readers may follow them, each from the
 * first token: an iterator ({@link #tokens()}), a {@link Flow.Publisher} ({@link #publisher()}) or
 * only the final result ({@link #result()}).
 *
 * <pre>{@code
 * Generation g = model.submit(GenerationRequest.of("Once upon a time").withMaxTokens(64));
 * g.publisher().subscribe(subscriber);          // or: try (TokenStream s = g.tokens()) { ... }
 * GenerationResult r = g.result().join();
 * System.out.println(r.text() + " (" + r.tokensPerSecond() + " tokens/s)");
 * }</pre>
 *
 * {@link #cancel()} (or {@link #close()}) ends it with {@link FinishReason#CANCELLED} within one
 * decode step and frees its sequence for the next request. Thread-safe.
 */
public final class Generation implements AutoCloseable {
    private final GenerationRequest request;
    private final Runnable onCancel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<GeneratedToken> tokens = new ArrayList<>();
    private final List<Runnable> watchers = new ArrayList<>();
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private volatile GenerationResult finished;

    Generation(GenerationRequest request, Runnable onCancel) {
        this.request = request;
        this.onCancel = onCancel;
    }

    public GenerationRequest request() {
        return request;
    }

    /**
     * The final result, completed (never exceptionally) when the generation ends for any reason;
     * a failure is a result with {@link FinishReason#ERROR}.
     */
    public CompletableFuture<GenerationResult> result() {
        return result.copy();
    }

    /** An iterator over the tokens, from the first; blocks until each is generated. */
    public TokenStream tokens() {
        return new TokenStream(this);
    }

    /**
     * The tokens as a publisher: each subscriber gets every token from the first, honouring its
     * demand, then {@code onComplete} (or {@code onError} with {@link GenerationFailedException}).
     * Signals are delivered on the common fork-join pool, never on the decode loop.
     */
    public Flow.Publisher<GeneratedToken> publisher() {
        return publisher(ForkJoinPool.commonPool());
    }

    /** As {@link #publisher()}, delivering signals on {@code executor}. */
    public Flow.Publisher<GeneratedToken> publisher(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return subscriber -> new Subscription(Objects.requireNonNull(subscriber, "subscriber"), executor).start();
    }

    /** Asks the decode loop to end this generation; it finishes with CANCELLED within one step. Safe twice. */
    public void cancel() {
        if (finished == null && cancelRequested.compareAndSet(false, true)) {
            onCancel.run();
        }
    }

    public boolean isDone() {
        return finished != null;
    }

    /** Same as {@link #cancel()}: a generation nobody reads any more should not keep a sequence. */
    @Override
    public void close() {
        cancel();
    }

    boolean cancelRequested() {
        return cancelRequested.get();
    }

    // ---- the decode loop's side ----

    void emit(GeneratedToken token) {
        List<Runnable> notify;
        lock.lock();
        try {
            tokens.add(token);
            changed.signalAll();
            // on the decode loop's hot path: no copy when nobody subscribed
            notify = watchers.isEmpty() ? List.of() : List.copyOf(watchers);
        } finally {
            lock.unlock();
        }
        notify.forEach(Runnable::run);
    }

    void finish(GenerationResult r) {
        List<Runnable> notify;
        lock.lock();
        try {
            if (finished != null) {
                return;
            }
            finished = r;
            changed.signalAll();
            notify = List.copyOf(watchers);
        } finally {
            lock.unlock();
        }
        result.complete(r);
        notify.forEach(Runnable::run);
    }

    // ---- readers' side ----

    /**
     * The token at {@code index}, waiting for it; null once the generation ended before it.
     */
    GeneratedToken await(int index) throws InterruptedException {
        lock.lock();
        try {
            while (index >= tokens.size() && finished == null) {
                changed.await();
            }
            return index < tokens.size() ? tokens.get(index) : null;
        } finally {
            lock.unlock();
        }
    }

    /** The result once finished, else null. */
    GenerationResult finished() {
        return finished;
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super GeneratedToken> subscriber;
        private final Executor executor;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger work = new AtomicInteger();
        private volatile boolean done;
        private int next;

        Subscription(Flow.Subscriber<? super GeneratedToken> subscriber, Executor executor) {
            this.subscriber = subscriber;
            this.executor = executor;
        }

        void start() {
            executor.execute(() -> {
                subscriber.onSubscribe(this);
                lock.lock();
                try {
                    watchers.add(this::signal);
                } finally {
                    lock.unlock();
                }
                signal();
            });
        }

        @Override
        public void request(long n) {
            if (done) {
                return;
            }
            if (n <= 0) {
                done = true;
                executor.execute(() -> subscriber.onError(new IllegalArgumentException(
                        "Flow rule 3.9: request(" + n + ") must be positive")));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            signal();
        }

        @Override
        public void cancel() {
            done = true; // the generation runs on for its other readers; only this subscriber stops
        }

        /** Schedules a drain; the work counter keeps drains serial, so signals never overlap. */
        private void signal() {
            if (work.getAndIncrement() == 0) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            int missed = 1;
            while (true) {
                while (!done) {
                    GenerationResult end;
                    GeneratedToken token = null;
                    lock.lock();
                    try {
                        end = finished;
                        if (next < tokens.size() && demand.get() > 0) {
                            token = tokens.get(next++);
                        } else if (next < tokens.size()) {
                            break; // wait for demand
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (token != null) {
                        demand.decrementAndGet();
                        subscriber.onNext(token);
                        continue;
                    }
                    if (end == null) {
                        break; // wait for tokens
                    }
                    done = true;
                    if (end.finishReason() == FinishReason.ERROR) {
                        subscriber.onError(new GenerationFailedException(end));
                    } else {
                        subscriber.onComplete();
                    }
                }
                missed = work.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }
    }
}
