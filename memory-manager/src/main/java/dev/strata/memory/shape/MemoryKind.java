package dev.strata.memory.shape;

/**
 * Which per-context memory llama.cpp creates for an architecture ({@code llama_model::create_memory},
 * src/llama-model.cpp), and so whether Strata can size it.
 */
public enum MemoryKind {
    /** No memory at all: encoder-only and diffusion models (bert, nomic-bert, dream, ...). Zero KV bytes. */
    NONE,
    /** One {@code llama_kv_cache} over all layers (src/llama-kv-cache.cpp). */
    KV_CACHE,
    /**
     * {@code llama_kv_cache_iswa}: one cache for the full-attention layers and one, usually smaller,
     * for the sliding-window layers (src/llama-kv-cache-iswa.cpp).
     */
    KV_CACHE_SWA,
    /** {@code llama_memory_recurrent} only (mamba, rwkv): not estimated yet. */
    RECURRENT,
    /** {@code llama_memory_hybrid*}: attention plus recurrent layers (jamba, qwen3next, ...): not estimated yet. */
    HYBRID,
    /** A cache type of its own (DeepSeek sparse attention, MSA, layer reuse, ...): not estimated yet. */
    OTHER;

    /** Whether {@code KvCacheEstimate} can size this memory exactly. */
    public boolean estimable() {
        return this == NONE || this == KV_CACHE || this == KV_CACHE_SWA;
    }
}
