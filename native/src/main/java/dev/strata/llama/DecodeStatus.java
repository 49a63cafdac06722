package dev.strata.llama;

/** Every result of llama_decode, named. */
public enum DecodeStatus {
    /** The batch was processed. */
    OK,
    /** No KV slot for the batch: the context is full; free sequences or use a smaller batch. */
    NO_KV_SLOT,
    /** Aborted through {@link LlamaContext#requestAbort()}; processed micro-batches stay in the KV cache. */
    ABORTED,
    /** The batch was invalid (llama.cpp returned -1); the KV cache is unchanged. */
    INVALID_BATCH,
    /** A fatal error inside llama.cpp (below -1), e.g. a failed compute-buffer allocation. */
    FATAL;

    static DecodeStatus fromNative(int code) {
        return switch (code) {
            case 0 -> OK;
            case 1 -> NO_KV_SLOT;
            case 2 -> ABORTED;
            case -1 -> INVALID_BATCH;
            default -> code < -1 ? FATAL : OK; // positive codes above 2 are warnings, not failures
        };
    }
}
