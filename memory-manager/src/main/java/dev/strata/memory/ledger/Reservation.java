package dev.strata.memory.ledger;

import dev.strata.memory.device.DeviceId;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model's hold on device memory in a {@link Ledger}; {@link #close()} gives it back, once. Made by
 * {@link Ledger#reserve}; whoever called that owns it and closes it when the model is unloaded.
 *
 * <pre>{@code
 * try (Reservation r = ledger.reserve("llama-8b", bytes, budgets, epoch)) {
 *     r.bytes();   // {cuda0=6442450944}
 *     r.state();   // PENDING
 *     ledger.commit("llama-8b", measured);
 *     r.state();   // ALLOCATED
 * }                // released; closing again does nothing
 * }</pre>
 *
 * <p>A handle releases only the reservation it made: if the model was released through {@link
 * Ledger#release(String)} and reserved again, closing the old handle leaves the new reservation be.
 * {@link Ledger#commit} keeps the handle valid. Close it after the model's memory is freed.
 */
public final class Reservation implements AutoCloseable {

    private final Ledger ledger;
    private final String modelId;
    private final Object token;
    private final AtomicBoolean closed = new AtomicBoolean();

    Reservation(Ledger ledger, String modelId, Object token) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.token = Objects.requireNonNull(token, "token");
    }

    /** The model holding the memory. */
    public String modelId() {
        return modelId;
    }

    /** What this reservation holds now per device (measured figures after a commit); empty once released. */
    public Map<DeviceId, Long> bytes() {
        Map<DeviceId, Long> now = closed.get() ? null : ledger.reservation(modelId, token);
        return now == null ? Map.of() : now;
    }

    /** Whether this reservation is still held: not closed, and not released through the ledger. */
    public boolean held() {
        return !closed.get() && ledger.reservation(modelId, token) != null;
    }

    /**
     * {@code PENDING} until {@link Ledger#commit}, then {@code ALLOCATED}; {@code RELEASED} once closed or
     * released through the ledger.
     */
    public ReservationState state() {
        return closed.get() ? ReservationState.RELEASED : ledger.state(modelId, token);
    }

    /** Releases the reservation; safe to call again, from any thread. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            ledger.release(modelId, token);
        }
    }

    @Override
    public String toString() {
        Map<DeviceId, Long> now = bytes();
        ReservationState state = state();
        return "Reservation[" + modelId + (state == ReservationState.RELEASED ? ", released" : " " + state + " " + now) + "]";
    }
}
