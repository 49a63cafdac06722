package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.AttentionOption.POST_ATTENTION_NORM;
import static dev.strata.models.synth.arch.Blocks.FfnOrder.GATE_UP_DOWN;

import dev.strata.models.synth.arch.Blocks.AttentionDims;


/**
 * The {@code gemma2} architecture (src/models/gemma2.cpp): sliding-window attention on every other
 * layer (llama.cpp's pattern 2: layers 0, 2, 4, ... are local, as in Gemma 2), a norm after the
 * attention and after the FFN as well as before them, soft-capped attention and final logits, a
 * head size of its own ({@code key_length}), and always tied embeddings: llama.cpp creates no
 * {@code output.weight} for gemma2 and reuses {@code token_embd}.
 *
 * <pre>{@code
 * ModelSpec gemma = Gemma2.spec(new Gemma2.Config("gemma-2-9b", "gemma-4", 262144, 8192, 3584, 42, 14336,
 *         16, 8, 256, 4096, 50f, 30f, 10000f, 1e-6f));
 * }</pre>
 */
public final class Gemma2 {
    private Gemma2() {}

    /**
     * A checkpoint's config.json numbers; see {@link LlamaFamily.Config}.
     *
     * @param headDim         head_dim
     * @param slidingWindow   sliding_window: tokens a local layer attends to
     * @param attnSoftcap     attn_logit_softcapping
     * @param finalSoftcap    final_logit_softcapping
     */
    public record Config(String name, String vocab, int vocabSize, int contextLength, int embeddingLength,
                         int blockCount, int feedForwardLength, int headCount, int headCountKv, int headDim,
                         int slidingWindow, float attnSoftcap, float finalSoftcap, float ropeFreqBase, float rmsEps) {}

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ff = c.feedForwardLength();
        AttentionDims attn = AttentionDims.ofHeadDim(embd, c.headDim(), c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "gemma2", c.vocab(), c.vocabSize());
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), ff, c.headCount(), c.headCountKv());
        b.f32("attention.layer_norm_rms_epsilon", c.rmsEps());
        Blocks.ownHeadSize(b, c.headDim());
        b.f32("attn_logit_softcapping", c.attnSoftcap())
                .f32("final_logit_softcapping", c.finalSoftcap())
                .u32("attention.sliding_window", c.slidingWindow())
                .f32("rope.freq_base", c.ropeFreqBase());

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), true); // always tied, see above
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.attention(b, i, attn, POST_ATTENTION_NORM);
            Blocks.denseFfn(b, i, embd, ff, GATE_UP_DOWN);
            b.blk(i, "post_ffw_norm.weight", embd);
        }
        return b.build();
    }
}
