package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.AttentionOption.POST_ATTENTION_NORM;
import static dev.strata.models.synth.arch.Blocks.AttentionOption.QK_NORMS;
import static dev.strata.models.synth.arch.Blocks.FfnOrder.GATE_UP_DOWN;

import dev.strata.models.synth.arch.Blocks.AttentionDims;


/**
 * The {@code gemma3} architecture (src/models/gemma3.cpp): {@link Gemma2}'s four norms per layer
 * plus an RMS norm on each head of Q and K, no soft-capping, and five local (sliding-window)
 * layers to every global one. llama.cpp turns the sliding window on only when
 * {@code attention.sliding_window} is present, and takes the 5:1 pattern from its default of 6
 * ({@code load_swa_pattern(ml, 6)}: layer i is local unless i % 6 == 5), which is what
 * convert_hf_to_gguf relies on too: it writes no pattern key. Global layers use {@code rope.freq_base}
 * with linear scaling; local ones {@code rope.freq_base_swa}. Embeddings are tied.
 *
 * <pre>{@code
 * ModelSpec gemma = Gemma3.spec(new Gemma3.Config("gemma-3-27b", "gemma-4", 262208, 131072, 5376, 62, 21504,
 *         32, 16, 128, 1024, 1e6f, 10000f, 8f, 1e-6f));
 * }</pre>
 */
public final class Gemma3 {
    private Gemma3() {}

    /**
     * A checkpoint's (text_config) config.json numbers; see {@link LlamaFamily.Config}.
     *
     * @param headDim          head_dim
     * @param slidingWindow    sliding_window of the local layers
     * @param ropeFreqBase     rope_theta of the global layers
     * @param ropeFreqBaseSwa  rope_local_base_freq of the local layers
     * @param ropeScaleLinear  rope_scaling.factor (linear) of the global layers; 0 for none
     */
    public record Config(String name, String vocab, int vocabSize, int contextLength, int embeddingLength,
                         int blockCount, int feedForwardLength, int headCount, int headCountKv, int headDim,
                         int slidingWindow, float ropeFreqBase, float ropeFreqBaseSwa, float ropeScaleLinear,
                         float rmsEps) {}

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ff = c.feedForwardLength();
        AttentionDims attn = AttentionDims.ofHeadDim(embd, c.headDim(), c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "gemma3", c.vocab(), c.vocabSize());
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), ff, c.headCount(), c.headCountKv());
        if (c.ropeScaleLinear() > 0) {
            b.str("rope.scaling.type", "linear").f32("rope.scaling.factor", c.ropeScaleLinear());
        }
        b.f32("rope.freq_base", c.ropeFreqBase())
                .f32("rope.freq_base_swa", c.ropeFreqBaseSwa())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps());
        Blocks.ownHeadSize(b, c.headDim());
        b.u32("attention.sliding_window", c.slidingWindow());

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), true); // always tied, see above
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.attention(b, i, attn, POST_ATTENTION_NORM, QK_NORMS);
            Blocks.denseFfn(b, i, embd, ff, GATE_UP_DOWN);
            b.blk(i, "post_ffw_norm.weight", embd);
        }
        return b.build();
    }
}
