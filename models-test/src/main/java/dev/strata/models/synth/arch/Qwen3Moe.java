package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.AttentionOption.QK_NORMS;

import dev.strata.models.synth.arch.Blocks.AttentionDims;


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
        long ffExp = c.expertFeedForwardLength();
        AttentionDims attn = AttentionDims.ofHeadDim(embd, c.headDim(), c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "qwen3moe", "qwen2", c.vocabSize());
        // feed_forward_length is the dense intermediate_size, which no tensor uses
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), c.feedForwardLength(), c.headCount(),
                c.headCountKv());
        b.f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("expert_count", c.expertCount())
                .u32("expert_used_count", c.expertUsedCount());
        Blocks.ownHeadSize(b, c.headDim());
        b.u32("expert_feed_forward_length", ffExp);

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), false); // Config has no tying: always an output matrix
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.attention(b, i, attn, QK_NORMS);
            Blocks.experts(b, i, embd, ffExp, c.expertCount());
        }
        return b.build();
    }
}
