package dev.strata.http;

import dev.strata.runtime.Generation;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which requests the server takes: at most {@code perModel} at once per model (running, or waiting in the
 * model's decode queue for a sequence), none once shutdown has begun. A refused request gets 503 with
 * {@code Retry-After} at once, never a wait. Also the list of running generations that a shutdown
 * cancels when its grace period ends.
 *
 * <pre>{@code
 * try (Admission.Ticket ticket = admission.admit("stories")) {
 *     Generation g = ...;
 *     ticket.track(g);          // cancelled if the server shuts down before it ends
 * }
 * }</pre>
 */
public final class Admission {
    /** What a refused client should wait before retrying: a few decode steps of a busy model. */
    private static final int RETRY_AFTER_SECONDS = 1;

    private final int perModel;
    private final Map<String, Semaphore> slots = new ConcurrentHashMap<>();
    private final Set<Generation> running = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private volatile boolean closing;

    public Admission(int perModel) {
        this.perModel = perModel;
    }

    /** A place in one model's queue, held until closed. */
    public final class Ticket implements AutoCloseable {
        private final Semaphore slot;
        private Generation generation;
        private boolean closed;

        private Ticket(Semaphore slot) {
            this.slot = slot;
        }

        /** Registers the generation this request runs, so that shutdown can cancel it. */
        public void track(Generation g) {
            generation = g;
            running.add(g);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (generation != null) {
                running.remove(generation);
            }
            slot.release();
            lock.lock();
            try {
                if (--inFlight == 0) {
                    idle.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * @throws ApiError 503 with Retry-After when the model's queue is full or the server is shutting down
     */
    public Ticket admit(String modelId) {
        if (closing) {
            throw ApiError.unavailable("server_shutting_down", "the server is shutting down; send the request to another instance",
                    RETRY_AFTER_SECONDS);
        }
        Semaphore slot = slots.computeIfAbsent(modelId, k -> new Semaphore(perModel));
        if (!slot.tryAcquire()) {
            throw ApiError.unavailable("model_queue_full", "model '" + modelId + "' already has " + perModel
                    + " requests running or queued (the server's --queue limit); retry shortly", RETRY_AFTER_SECONDS);
        }
        lock.lock();
        try {
            inFlight++;
        } finally {
            lock.unlock();
        }
        return new Ticket(slot);
    }

    /** Requests admitted and not yet finished. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new requests, waits up to {@code grace} for admitted ones to finish, then cancels those still
     * running (each ends within one decode step) and waits briefly for them to answer.
     */
    public void shutdown(Duration grace) throws InterruptedException {
        closing = true;
        if (!awaitIdle(grace)) {
            running.forEach(Generation::cancel);
            awaitIdle(Duration.ofSeconds(5));
        }
    }

    private boolean awaitIdle(Duration limit) throws InterruptedException {
        long left = limit.toNanos();
        lock.lock();
        try {
            while (inFlight > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public boolean closing() {
        return closing;
    }
}
