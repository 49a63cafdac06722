package dev.strata.models.synth.arch;

import dev.strata.models.synth.arch.Blocks.AttentionDims;


/**
 * OpenAI's gpt-oss, architecture name {@code gpt-oss} (LLM_ARCH_OPENAI_MOE, src/models/openai-moe.cpp):
 * a mixture of experts in every layer, with biases everywhere (Q, K, V, output, router, each
 * expert's gate, up and down), one learned attention sink per head ({@code attn_sinks}, F32), a norm
 * after the attention, a head size of its own, and sliding-window attention on every other layer
 * (llama.cpp's pattern 2: even layers local, as gpt-oss's layer_types start with
 * "sliding_attention"). Released with its experts in MXFP4, which convert_hf_to_gguf keeps as is.
 *
 * <pre>{@code
 * ModelSpec oss = GptOss.spec(new GptOss.Config("gpt-oss-20b", "gpt-2", 201088, 131072, 2880, 24, 64, 8, 64,
 *         32, 4, 2880, 128, 150000f, 32f, 4096, 1e-5f));
 * }</pre>
 */
public final class GptOss {
    private GptOss() {}

    /**
     * A checkpoint's config.json numbers; see {@link LlamaFamily.Config}.
     *
     * @param headDim                 head_dim; also the rope dimension count
     * @param expertFeedForwardLength intermediate_size: one expert's width
     * @param slidingWindow           sliding_window of the local layers
     * @param yarnFactor              rope_scaling.factor (yarn)
     * @param yarnOriginalContext     rope_scaling.original_max_position_embeddings
     */
    public record Config(String name, String vocab, int vocabSize, int contextLength, int embeddingLength,
                         int blockCount, int headCount, int headCountKv, int headDim, int expertCount,
                         int expertUsedCount, int expertFeedForwardLength, int slidingWindow, float ropeFreqBase,
                         float yarnFactor, int yarnOriginalContext, float rmsEps) {}

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ffExp = c.expertFeedForwardLength();
        long experts = c.expertCount();
        AttentionDims attn = AttentionDims.ofHeadDim(embd, c.headDim(), c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "gpt-oss", c.vocab(), c.vocabSize());
        // feed_forward_length is one expert's width: gpt-oss has no dense FFN
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), ffExp, c.headCount(), c.headCountKv());
        b.str("rope.scaling.type", "yarn")
                .f32("rope.scaling.factor", c.yarnFactor())
                .u32("rope.scaling.original_context_length", c.yarnOriginalContext())
                .f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("expert_count", experts)
                .u32("expert_used_count", c.expertUsedCount());
        Blocks.ownHeadSize(b, c.headDim());
        b.u32("attention.sliding_window", c.slidingWindow())
                .u32("expert_feed_forward_length", ffExp);

        // output.weight is required: gpt-oss has no tied variant in llama.cpp
        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), false);
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "post_attention_norm.weight", embd); // the norm before the experts
            Blocks.biasedProjections(b, i, attn);
            b.blk(i, "attn_sinks.weight", c.headCount());
            // Blocks.experts' tensors, each followed by its bias, and no ffn_norm
            b.blk(i, "ffn_gate_inp.weight", embd, experts);
            b.blk(i, "ffn_gate_inp.bias", experts);
            b.blk(i, "ffn_gate_exps.weight", embd, ffExp, experts);
            b.blk(i, "ffn_gate_exps.bias", ffExp, experts);
            b.blk(i, "ffn_down_exps.weight", ffExp, embd, experts);
            b.blk(i, "ffn_down_exps.bias", embd, experts);
            b.blk(i, "ffn_up_exps.weight", embd, ffExp, experts);
            b.blk(i, "ffn_up_exps.bias", ffExp, experts);
        }
        return b.build();
    }
}
