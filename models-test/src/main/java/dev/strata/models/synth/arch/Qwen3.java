package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.AttentionOption.QK_NORMS;
import static dev.strata.models.synth.arch.Blocks.FfnOrder.GATE_DOWN_UP;

import dev.strata.models.synth.arch.Blocks.AttentionDims;


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
        long ff = c.feedForwardLength();
        AttentionDims attn = AttentionDims.ofHeadDim(embd, c.headDim(), c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "qwen3", "qwen2", c.vocabSize());
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), ff, c.headCount(), c.headCountKv());
        b.f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps());
        Blocks.ownHeadSize(b, c.headDim());

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), c.tiedEmbeddings());
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.attention(b, i, attn, QK_NORMS);
            Blocks.denseFfn(b, i, embd, ff, GATE_DOWN_UP);
        }
        return b.build();
    }
}
