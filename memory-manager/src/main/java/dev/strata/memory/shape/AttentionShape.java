package dev.strata.memory.shape;

import java.util.List;
import java.util.Objects;

/**
 * Everything about a model's attention that decides its KV-cache size: per-layer geometry, the
 * sliding window, multi-head latent attention, and which memory llama.cpp creates.
 *
 * <pre>{@code
 * AttentionShape a = shape.attention();
 * a.memory();                          // KV_CACHE_SWA for gemma2
 * a.slidingWindow();                   // 4096
 * a.layers().get(0).slidingWindow();   // true: gemma2 alternates, starting with a window layer
 * }</pre>
 *
 * @param layers        one entry per layer, {@code block_count} of them (multi-token-prediction layers included)
 * @param memory        the memory llama.cpp creates for this architecture
 * @param slidingWindow n_swa in tokens; 0 when no layer has a window
 * @param mla           multi-head latent attention (deepseek2 with {@code key_length_mla} and
 *                      {@code value_length_mla}): K holds the compressed latent plus the rope part, one
 *                      "head" per layer, and there is no V cache (llama-kv-cache.cpp: {@code has_v = !is_mla})
 * @param kvLoraRank    the latent width of MLA ({@code attention.kv_lora_rank}); 0 without MLA
 * @param ropeDim       n_rot ({@code rope.dimension_count}); for MLA the rope part of each cached row
 * @param causal        causal attention ({@code attention.causal}, default true); bounds n_batch by n_ctx
 * @param recurrent     the row widths of the recurrent state, for the layers marked {@link AttentionLayer#recurrent()}
 */
public record AttentionShape(List<AttentionLayer> layers, MemoryKind memory, int slidingWindow, boolean mla,
                             int kvLoraRank, int ropeDim, boolean causal, RecurrentState recurrent) {

    public AttentionShape {
        layers = List.copyOf(layers);
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(recurrent, "recurrent");
        if (slidingWindow < 0 || kvLoraRank < 0 || ropeDim < 0) {
            throw new IllegalArgumentException("negative sliding window, kv_lora_rank or rope dimension");
        }
    }

    /** A shape without recurrent state. */
    public AttentionShape(List<AttentionLayer> layers, MemoryKind memory, int slidingWindow, boolean mla,
                          int kvLoraRank, int ropeDim, boolean causal) {
        this(layers, memory, slidingWindow, mla, kvLoraRank, ropeDim, causal, RecurrentState.NONE);
    }

    /** Whether any layer has a sliding window ({@code hparams.is_swa_any()}). */
    public boolean anySlidingWindow() {
        return layers.stream().anyMatch(AttentionLayer::slidingWindow);
    }

    /**
     * Whether V widths differ between layers ({@code hparams.is_n_embd_v_gqa_variable()}); without
     * flash attention llama.cpp then pads every V cache to the widest ([TAG_V_CACHE_VARIABLE]).
     */
    public boolean valueWidthVaries() {
        return layers.stream().mapToLong(AttentionLayer::valueWidth).distinct().count() > 1;
    }

    /** The widest V of any layer ({@code hparams.n_embd_v_gqa_max()}). */
    public long maxValueWidth() {
        return layers.stream().mapToLong(AttentionLayer::valueWidth).max().orElse(0);
    }
}
