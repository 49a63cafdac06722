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
    /**
     * {@code llama_memory_recurrent} only (mamba, rwkv): estimated for mamba and mamba2
     * ({@link ArchitectureRules#memoryEstimable()}), not for rwkv yet.
     */
    RECURRENT,
    /**
     * {@code llama_memory_hybrid*}: attention plus recurrent layers (jamba, qwen3next, ...): estimated for jamba
     * and granitehybrid ({@link ArchitectureRules#memoryEstimable()}), whose recurrent layers are those without
     * KV heads; not for the others yet.
     */
    HYBRID,
    /** A cache type of its own (DeepSeek sparse attention, MSA, layer reuse, ...): not estimated yet. */
    OTHER;

    /**
     * Whether {@code KvCacheEstimate} can size this memory exactly for any architecture; recurrent and hybrid
     * memories depend on the architecture: see {@link ArchitectureRules#memoryEstimable()}.
     */
    public boolean estimable() {
        return this == NONE || this == KV_CACHE || this == KV_CACHE_SWA;
    }
}
