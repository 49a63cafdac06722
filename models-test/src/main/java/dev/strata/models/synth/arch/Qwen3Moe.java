package dev.strata.models.synth.arch;

/**
 * The {@code qwen3moe} architecture (Qwen3-30B-A3B, Qwen3-235B-A22B): {@link Qwen3}'s attention
 * with every layer's FFN a mixture of experts and no shared expert (src/models/qwen3moe.cpp).
 * Each expert's width is {@code expert_feed_forward_length}; {@code feed_forward_length} is the
 * checkpoint's dense intermediate_size, which no tensor uses.
 *
 * <pre>{@code
 * ModelSpec a3b = Qwen3Moe.spec(new Qwen3Moe.Config("qwen3-30b-a3b", 151936, 40960, 2048, 48, 6144, 768,
 *         32, 4, 128, 128, 8, 1e6f, 1e-6f));
 * }</pre>
 */
public final class Qwen3Moe {
    private Qwen3Moe() {}

    /**
     * A checkpoint's config.json numbers; see {@link LlamaFamily.Config}.
     *
     * @param feedForwardLength       intermediate_size (unused by the tensors)
     * @param expertFeedForwardLength moe_intermediate_size: one expert's width
     * @param headDim                 head_dim
     * @param expertCount             num_experts
     * @param expertUsedCount         num_experts_per_tok
     */
    public record Config(String name, int vocabSize, int contextLength, int embeddingLength, int blockCount,
                         int feedForwardLength, int expertFeedForwardLength, int headCount, int headCountKv,
                         int headDim, int expertCount, int expertUsedCount, float ropeFreqBase, float rmsEps) {
        public Config {
            if (expertUsedCount <= 0 || expertUsedCount > expertCount) {
                throw new IllegalArgumentException(name + ": " + expertUsedCount + " of " + expertCount + " experts");
            }
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long headDim = c.headDim();
        long q = headDim * c.headCount();
        long kv = headDim * c.headCountKv();
        long ffExp = c.expertFeedForwardLength();
        long experts = c.expertCount();
        long vocab = c.vocabSize();

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "qwen3moe", "qwen2", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("block_count", c.blockCount())
                .u32("feed_forward_length", c.feedForwardLength())
                .u32("attention.head_count", c.headCount())
                .u32("attention.head_count_kv", c.headCountKv())
                .f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("expert_count", experts)
                .u32("expert_used_count", c.expertUsedCount())
                .u32("attention.key_length", headDim)
                .u32("attention.value_length", headDim)
                .u32("expert_feed_forward_length", ffExp);

        b.tensor("token_embd.weight", embd, vocab);
        b.tensor("output_norm.weight", embd);
        b.tensor("output.weight", embd, vocab);
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "attn_q.weight", embd, q);
            b.blk(i, "attn_k.weight", embd, kv);
            b.blk(i, "attn_v.weight", embd, kv);
            b.blk(i, "attn_output.weight", q, embd);
            b.blk(i, "attn_k_norm.weight", headDim);
            b.blk(i, "attn_q_norm.weight", headDim);
            b.blk(i, "ffn_norm.weight", embd);
            b.blk(i, "ffn_gate_inp.weight", embd, experts);
            b.blk(i, "ffn_gate_exps.weight", embd, ffExp, experts);
            b.blk(i, "ffn_down_exps.weight", ffExp, embd, experts);
            b.blk(i, "ffn_up_exps.weight", embd, ffExp, experts);
        }
        return b.build();
    }
}
