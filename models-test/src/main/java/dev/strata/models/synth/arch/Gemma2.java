package dev.strata.models.synth.arch;

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
        long headDim = c.headDim();
        long q = headDim * c.headCount();
        long kv = headDim * c.headCountKv();
        long ff = c.feedForwardLength();

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "gemma2", c.vocab(), c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("block_count", c.blockCount())
                .u32("feed_forward_length", ff)
                .u32("attention.head_count", c.headCount())
                .u32("attention.head_count_kv", c.headCountKv())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps())
                .u32("attention.key_length", headDim)
                .u32("attention.value_length", headDim)
                .f32("attn_logit_softcapping", c.attnSoftcap())
                .f32("final_logit_softcapping", c.finalSoftcap())
                .u32("attention.sliding_window", c.slidingWindow())
                .f32("rope.freq_base", c.ropeFreqBase());

        b.tensor("token_embd.weight", embd, c.vocabSize());
        b.tensor("output_norm.weight", embd);
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "attn_q.weight", embd, q);
            b.blk(i, "attn_k.weight", embd, kv);
            b.blk(i, "attn_v.weight", embd, kv);
            b.blk(i, "attn_output.weight", q, embd);
            b.blk(i, "post_attention_norm.weight", embd);
            b.blk(i, "ffn_norm.weight", embd);
            b.blk(i, "ffn_gate.weight", embd, ff);
            b.blk(i, "ffn_up.weight", embd, ff);
            b.blk(i, "ffn_down.weight", ff, embd);
            b.blk(i, "post_ffw_norm.weight", embd);
        }
        return b.build();
    }
}
