package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.FfnOrder.GATE_DOWN_UP;

/**
 * The {@code deepseek2} architecture (DeepSeek-V2, V2-Lite, V2.5, V3 shapes; src/models/deepseek2.cpp):
 * multi-head latent attention (MLA) and a mixture of routed plus shared experts after some leading
 * dense layers.
 *
 * <p>MLA as current GGUFs store it (convert_hf_to_gguf's DeepseekV2Model): the attention is written as
 * multi-query attention over the compressed latent, {@code head_count_kv} 1, {@code key_length}
 * kv_lora_rank + rope dims (576), {@code value_length} kv_lora_rank (512), and the per-head sizes
 * after decompression as {@code key_length_mla} / {@code value_length_mla}; the up-projection
 * {@code kv_b_proj} is split into {@code attn_k_b} (transposed, {qk_nope, kv_lora_rank, n_head}) and
 * {@code attn_v_b} ({kv_lora_rank, v_head_dim, n_head}). llama.cpp then caches only the 576-wide
 * latent per token and layer. Lite variants (27 layers) have no query compression: llama.cpp skips
 * {@code q_lora_rank} for them and expects a plain {@code attn_q}.
 *
 * <pre>{@code
 * // DeepSeek-V2-Lite: no q_lora_rank, 1 dense layer, then 64 routed experts (6 used) and 2 shared ones
 * ModelSpec lite = DeepSeek2.spec(new DeepSeek2.Config("deepseek-v2-lite", 102400, 163840, 2048, 27, 10944, 16,
 *         0, 512, 128, 64, 128, 1, 64, 6, 2, 1408, 1.0f, 10000f, 40f, 4096, 0.707f, 1e-6f));
 * }</pre>
 */
public final class DeepSeek2 {
    private DeepSeek2() {}

    /**
     * A checkpoint's config.json numbers.
     *
     * @param feedForwardLength       intermediate_size of the leading dense layers
     * @param qLoraRank               q_lora_rank; 0 for none (Lite)
     * @param kvLoraRank              kv_lora_rank
     * @param qkNopeHeadDim           qk_nope_head_dim
     * @param qkRopeHeadDim           qk_rope_head_dim: {@code rope.dimension_count}
     * @param vHeadDim                v_head_dim
     * @param leadingDenseBlocks      first_k_dense_replace
     * @param expertFeedForwardLength moe_intermediate_size
     * @param expertSharedCount       n_shared_experts; their FFN is one matrix of that many widths
     * @param expertWeightsScale      routed_scaling_factor
     * @param yarnFactor              rope_scaling.factor (yarn); 0 for no scaling
     * @param yarnOriginalContext     rope_scaling.original_max_position_embeddings
     * @param yarnMscaleAllDim        rope_scaling.mscale_all_dim; written as 0.1 times it, as convert does
     */
    public record Config(String name, int vocabSize, int contextLength, int embeddingLength, int blockCount,
                         int feedForwardLength, int headCount, int qLoraRank, int kvLoraRank, int qkNopeHeadDim,
                         int qkRopeHeadDim, int vHeadDim, int leadingDenseBlocks, int expertCount, int expertUsedCount,
                         int expertSharedCount, int expertFeedForwardLength, float expertWeightsScale,
                         float ropeFreqBase, float yarnFactor, int yarnOriginalContext, float yarnMscaleAllDim,
                         float rmsEps) {}

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long heads = c.headCount();
        long kvRank = c.kvLoraRank();
        long rope = c.qkRopeHeadDim();
        long nope = c.qkNopeHeadDim();
        long vDim = c.vHeadDim();
        long ff = c.feedForwardLength();
        long ffExp = c.expertFeedForwardLength();
        long experts = c.expertCount();

        // Not Blocks.commonHparams: one KV head (MLA) and keys in an order of their own.
        ModelSpec.Builder b = ModelSpec.builder(c.name(), "deepseek2", "deepseek-llm", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("feed_forward_length", ff)
                .u32("block_count", c.blockCount())
                .u32("attention.head_count", heads)
                .u32("attention.head_count_kv", 1);
        if (c.yarnFactor() > 0) {
            b.str("rope.scaling.type", "yarn")
                    .f32("rope.scaling.factor", c.yarnFactor())
                    .u32("rope.scaling.original_context_length", c.yarnOriginalContext());
        }
        b.f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("expert_count", experts)
                .u32("expert_used_count", c.expertUsedCount())
                // n_group / topk_group of 1 and softmax scoring, as V2 configs have them
                .u32("expert_group_count", 1)
                .u32("expert_group_used_count", 1)
                .u32("expert_gating_func", 1) // LLAMA_EXPERT_GATING_FUNC_TYPE_SOFTMAX
                .u32("leading_dense_block_count", c.leadingDenseBlocks())
                .u32("vocab_size", c.vocabSize());
        if (c.qLoraRank() > 0) {
            b.u32("attention.q_lora_rank", c.qLoraRank());
        }
        b.u32("attention.kv_lora_rank", kvRank)
                .u32("attention.key_length", kvRank + rope)
                .u32("attention.value_length", kvRank)
                .u32("attention.key_length_mla", nope + rope)
                .u32("attention.value_length_mla", vDim)
                .u32("expert_feed_forward_length", ffExp)
                .u32("expert_shared_count", c.expertSharedCount())
                .f32("expert_weights_scale", c.expertWeightsScale())
                .u32("rope.dimension_count", rope);
        if (c.yarnFactor() > 0) {
            // llama.cpp divides it by 0.1 again ([TAG_DEEPSEEK2_YARN_LOG_MUL_FIX])
            b.f32("rope.scaling.yarn_log_multiplier", 0.1f * c.yarnMscaleAllDim());
        }

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), false); // Config has no tying: always an output matrix
        long ffShared = ffExp * c.expertSharedCount();
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            if (c.qLoraRank() > 0) {
                b.blk(i, "attn_q_a_norm.weight", c.qLoraRank());
            }
            b.blk(i, "attn_kv_a_norm.weight", kvRank);
            if (c.qLoraRank() > 0) {
                b.blk(i, "attn_q_a.weight", embd, c.qLoraRank());
                b.blk(i, "attn_q_b.weight", c.qLoraRank(), heads * (nope + rope));
            } else {
                b.blk(i, "attn_q.weight", embd, heads * (nope + rope));
            }
            b.blk(i, "attn_kv_a_mqa.weight", embd, kvRank + rope);
            b.blk(i, "attn_k_b.weight", nope, kvRank, heads);
            b.blk(i, "attn_v_b.weight", kvRank, vDim, heads);
            b.blk(i, "attn_output.weight", heads * vDim, embd);
            if (i < c.leadingDenseBlocks()) {
                Blocks.denseFfn(b, i, embd, ff, GATE_DOWN_UP);
            } else {
                // not Blocks.experts: the routed experts are written down, gate, up, then the shared ones
                b.blk(i, "ffn_norm.weight", embd);
                b.blk(i, "ffn_gate_inp.weight", embd, experts);
                b.blk(i, "ffn_down_exps.weight", ffExp, embd, experts);
                b.blk(i, "ffn_gate_exps.weight", embd, ffExp, experts);
                b.blk(i, "ffn_up_exps.weight", embd, ffExp, experts);
                b.blk(i, "ffn_gate_shexp.weight", embd, ffShared);
                b.blk(i, "ffn_down_shexp.weight", ffShared, embd);
                b.blk(i, "ffn_up_shexp.weight", embd, ffShared);
            }
        }
        return b.build();
    }
}
