package dev.strata.models.synth.arch;

/**
 * The {@code qwen3} architecture (dense Qwen3): no biases, an RMS norm on each head of Q and K,
 * and a head size of its own ({@code head_dim} 128 whatever n_embd / n_head is), written as
 * {@code attention.key_length} / {@code value_length} (src/models/qwen3.cpp).
 *
 * <pre>{@code
 * ModelSpec qwen3 = Qwen3.spec(new Qwen3.Config("qwen3-8b", 151936, 40960, 4096, 36, 12288, 32, 8, 128, 1e6f, 1e-6f, false));
 * }</pre>
 */
public final class Qwen3 {
    private Qwen3() {}

    /**
     * A checkpoint's config.json numbers; see {@link LlamaFamily.Config}.
     *
     * @param headDim head_dim: the size of one attention head
     */
    public record Config(String name, int vocabSize, int contextLength, int embeddingLength, int blockCount,
                         int feedForwardLength, int headCount, int headCountKv, int headDim, float ropeFreqBase,
                         float rmsEps, boolean tiedEmbeddings) {
        public Config {
            if (headCount % headCountKv != 0) {
                throw new IllegalArgumentException(name + ": n_head_kv " + headCountKv + " does not divide n_head " + headCount);
            }
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long headDim = c.headDim();
        long q = headDim * c.headCount();
        long kv = headDim * c.headCountKv();
        long ff = c.feedForwardLength();
        long vocab = c.vocabSize();

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "qwen3", "qwen2", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("block_count", c.blockCount())
                .u32("feed_forward_length", ff)
                .u32("attention.head_count", c.headCount())
                .u32("attention.head_count_kv", c.headCountKv())
                .f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("attention.key_length", headDim)
                .u32("attention.value_length", headDim);

        b.tensor("token_embd.weight", embd, vocab);
        b.tensor("output_norm.weight", embd);
        if (!c.tiedEmbeddings()) {
            b.tensor("output.weight", embd, vocab);
        }
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "attn_q.weight", embd, q);
            b.blk(i, "attn_k.weight", embd, kv);
            b.blk(i, "attn_v.weight", embd, kv);
            b.blk(i, "attn_output.weight", q, embd);
            b.blk(i, "attn_k_norm.weight", headDim);
            b.blk(i, "attn_q_norm.weight", headDim);
            b.blk(i, "ffn_norm.weight", embd);
            b.blk(i, "ffn_gate.weight", embd, ff);
            b.blk(i, "ffn_down.weight", ff, embd);
            b.blk(i, "ffn_up.weight", embd, ff);
        }
        return b.build();
    }
}
