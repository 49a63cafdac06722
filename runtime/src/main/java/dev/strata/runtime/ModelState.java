package dev.strata.runtime;

/** Where a {@link Model} is in its life; it only moves forward. */
public enum ModelState {
    /** Accepting requests. */
    READY,
    /** Closing: refuses new requests; running ones end with CANCELLED. */
    CLOSING,
    /** Its native memory is freed and its ledger reservation released. */
    CLOSED
}
