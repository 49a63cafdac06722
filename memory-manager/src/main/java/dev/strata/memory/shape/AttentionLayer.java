package dev.strata.memory.shape;

/**
 * The KV-cache geometry of one layer, as llama.cpp's {@code llama_hparams} reports it
 * (src/llama-hparams.cpp: {@code n_head_kv(il)}, {@code n_embd_head_k(il)}, {@code is_swa(il)}).
 *
 * <pre>{@code
 * AttentionLayer l = new AttentionLayer(8, 128, 128, false, true);   // Llama 3 8B
 * l.keyWidth();     // 1024 = n_embd_k_gqa: elements of K per token
 * }</pre>
 *
 * @param headCountKv   n_head_kv of the layer (GGUF {@code attention.head_count_kv}, scalar or per-layer array);
 *                      1 for MLA, whose cache is one compressed "head"
 * @param headDimK      n_embd_head_k: {@code attention.key_length} (or {@code key_length_swa} on a sliding-window
 *                      layer), else n_embd / n_head
 * @param headDimV      n_embd_head_v, likewise from {@code value_length}
 * @param slidingWindow whether the layer attends only a sliding window ({@code hparams.is_swa(il)})
 * @param hasKv         whether the layer gets cache tensors; false for multi-token-prediction layers, which
 *                      the main context filters out (llama-model.cpp, create_memory: {@code il < n_layer()}),
 *                      and for the recurrent layers of a hybrid, which the attention cache filters out
 * @param recurrent     whether the layer holds recurrent state ({@code hparams.is_recr(il)}, or every layer of
 *                      a recurrent architecture): an r and an s row per cell in {@code llama_memory_recurrent}
 */
public record AttentionLayer(int headCountKv, int headDimK, int headDimV, boolean slidingWindow, boolean hasKv,
                             boolean recurrent) {

    /** An attention layer without recurrent state. */
    public AttentionLayer(int headCountKv, int headDimK, int headDimV, boolean slidingWindow, boolean hasKv) {
        this(headCountKv, headDimK, headDimV, slidingWindow, hasKv, false);
    }

    public AttentionLayer {
        if (headCountKv < 0 || headDimK < 0 || headDimV < 0) {
            throw new IllegalArgumentException("negative head count or size: " + headCountKv + ", " + headDimK + ", " + headDimV);
        }
    }

    /** n_embd_k_gqa: K elements per token and layer (llama-hparams.cpp, n_embd_k_gqa). */
    public long keyWidth() {
        return (long) headDimK * headCountKv;
    }

    /** n_embd_v_gqa: V elements per token and layer. */
    public long valueWidth() {
        return (long) headDimV * headCountKv;
    }
}
