package dev.strata.runtime;

/**
 * One of the context's {@code n_seq_max} sequence ids and what its KV cells hold. A finished
 * request leaves its tokens here, so the next request with the same prefix starts from them.
 */
final class Slot {
    final int id;
    /** Tokens whose KV is in the cache under this sequence id, positions 0..size-1. */
    final TokenList cached = new TokenList(64);
    /** The request using the slot, or null when idle. */
    Sequence owner;
    long lastUsedNanos;
    /**
     * With backend sampling: whether this sequence id's outputs are sampled greedily in the graph (rows
     * not copied back) or its rows are copied for the request to read. Contexts start with every id in.
     */
    boolean sampledInGraph = true;

    Slot(int id) {
        this.id = id;
    }
}
