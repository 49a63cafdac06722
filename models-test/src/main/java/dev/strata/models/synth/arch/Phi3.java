package dev.strata.models.synth.arch;

/**
 * The {@code phi3} architecture (src/models/phi3.cpp): Q, K and V fused into one
 * {@code attn_qkv} matrix ({n_embd, n_embd + 2 n_embd_kv}) and gate and up fused into one
 * {@code ffn_up} of twice the FFN width. Phi-3-mini-4k has a sliding window of 2047 in its config;
 * convert_hf_to_gguf writes it, and llama.cpp reads it and switches it off (a warning: "Phi SWA is
 * currently disabled"), so the KV cache is full size.
 *
 * <pre>{@code
 * ModelSpec phi = Phi3.spec(new Phi3.Config("phi-3-mini-4k", 32064, 4096, 4096, 3072, 32, 8192, 32, 32, 10000f, 1e-5f, 2047));
 * }</pre>
 */
public final class Phi3 {
    private Phi3() {}

    /**
     * A checkpoint's config.json numbers; see {@link LlamaFamily.Config}. The tokenizer is llama.cpp's
     * {@code phi-3} vocabulary.
     *
     * @param originalContextLength original_max_position_embeddings
     * @param slidingWindow         sliding_window; 0 for none
     */
    public record Config(String name, int vocabSize, int contextLength, int originalContextLength, int embeddingLength,
                         int blockCount, int feedForwardLength, int headCount, int headCountKv, float ropeFreqBase,
                         float rmsEps, int slidingWindow) {
        public Config {
            Blocks.requireHeadsDivide(name, embeddingLength, headCount, headCountKv);
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ff = c.feedForwardLength();
        Blocks.AttentionDims attn = Blocks.AttentionDims.ofEmbd(embd, c.headCount(), c.headCountKv());

        // Not Blocks.commonHparams: Phi3 keeps an order of its own, with the original context length
        // second and feed_forward_length before block_count.
        ModelSpec.Builder b = ModelSpec.builder(c.name(), "phi3", "phi-3", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("rope.scaling.original_context_length", c.originalContextLength())
                .u32("embedding_length", embd)
                .u32("feed_forward_length", ff)
                .u32("block_count", c.blockCount())
                .u32("attention.head_count", c.headCount())
                .u32("attention.head_count_kv", c.headCountKv())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("rope.dimension_count", attn.headDim())
                .f32("rope.freq_base", c.ropeFreqBase());
        if (c.slidingWindow() > 0) {
            b.u32("attention.sliding_window", c.slidingWindow());
        }

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), false); // Config has no tying: always an output matrix
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "attn_qkv.weight", embd, attn.q() + 2 * attn.kv());
            b.blk(i, "attn_output.weight", attn.q(), embd);
            b.blk(i, "ffn_norm.weight", embd);
            b.blk(i, "ffn_down.weight", ff, embd);
            b.blk(i, "ffn_up.weight", embd, 2 * ff);
        }
        return b.build();
    }
}
