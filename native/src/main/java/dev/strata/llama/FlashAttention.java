package dev.strata.llama;

/** llama_flash_attn_type. */
public enum FlashAttention {
    /** llama.cpp decides per device. */
    AUTO(-1), DISABLED(0), ENABLED(1);

    final int value;

    FlashAttention(int value) {
        this.value = value;
    }
}
