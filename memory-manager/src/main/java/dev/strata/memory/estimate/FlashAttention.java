package dev.strata.memory.estimate;

/**
 * llama.cpp's {@code llama_flash_attn_type}. For the KV cache it matters once: without flash
 * attention V is stored transposed, and then layers whose V widths differ are all padded to the
 * widest. When the context is made, {@link #AUTO} still counts as on ({@code cparams.flash_attn =
 * flash_attn_type != DISABLED}, src/llama-context.cpp); it is resolved per device only later.
 */
public enum FlashAttention {
    /** llama.cpp decides per device, after the cache is made. */
    AUTO,
    /** Off: V is transposed ({@code v_trans}). */
    DISABLED,
    /** On. */
    ENABLED
}
