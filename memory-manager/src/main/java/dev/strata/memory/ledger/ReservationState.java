package dev.strata.memory.ledger;

/**
 * Where a model's {@link Reservation} stands, which decides how a device's free figure treats it.
 *
 * <p>{@code PENDING} → {@code ALLOCATED} only through {@link Ledger#commit}; either → {@code RELEASED}
 * when the reservation is given back ({@link Reservation#close()}, {@link Ledger#release(String)}).
 */
public enum ReservationState {
    /**
     * Reserved, not yet loaded and measured: its memory may still be free on the device, so a
     * budget takes it off the free figure as well as off the cap.
     */
    PENDING,
    /**
     * Loaded, and its measured figures committed: its memory is in use, so a free figure read after
     * the commit already lacks it and a budget takes it off the cap only.
     */
    ALLOCATED,
    /** Given back; the ledger no longer holds anything for it. */
    RELEASED
}
