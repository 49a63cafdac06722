package dev.strata.models.synth.arch;

/**
 * The {@code qwen2} architecture (Qwen2, Qwen2.5): llama-like, with biases on Q, K and V
 * ({@code llama_model_qwen2}, src/models/qwen2.cpp creates them as optional; Qwen2.5 checkpoints
 * have them). The head size is always n_embd / n_head here: no {@code key_length} key.
 *
 * <pre>{@code
 * ModelSpec qwen = Qwen2.spec(new Qwen2.Config("qwen2.5-7b", 152064, 32768, 3584, 28, 18944, 28, 4, 1e6f, 1e-6f, false));
 * }</pre>
 */
public final class Qwen2 {
    private Qwen2() {}

    /**
     * A checkpoint's config.json numbers; see {@link LlamaFamily.Config} for the meaning of each.
     * The borrowed tokenizer is always llama.cpp's {@code qwen2} vocabulary.
     */
    public record Config(String name, int vocabSize, int contextLength, int embeddingLength, int blockCount,
                         int feedForwardLength, int headCount, int headCountKv, float ropeFreqBase, float rmsEps,
                         boolean tiedEmbeddings) {
        public Config {
            if (embeddingLength % headCount != 0 || headCount % headCountKv != 0) {
                throw new IllegalArgumentException(name + ": heads do not divide n_embd " + embeddingLength);
            }
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long embdKv = embd / c.headCount() * c.headCountKv();
        long ff = c.feedForwardLength();
        long vocab = c.vocabSize();

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "qwen2", "qwen2", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("block_count", c.blockCount())
                .u32("feed_forward_length", ff)
                .u32("attention.head_count", c.headCount())
                .u32("attention.head_count_kv", c.headCountKv())
                .f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps());

        b.tensor("token_embd.weight", embd, vocab);
        b.tensor("output_norm.weight", embd);
        if (!c.tiedEmbeddings()) {
            b.tensor("output.weight", embd, vocab);
        }
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "attn_q.weight", embd, embd);
            b.blk(i, "attn_k.weight", embd, embdKv);
            b.blk(i, "attn_v.weight", embd, embdKv);
            b.blk(i, "attn_q.bias", embd);
            b.blk(i, "attn_k.bias", embdKv);
            b.blk(i, "attn_v.bias", embdKv);
            b.blk(i, "attn_output.weight", embd, embd);
            b.blk(i, "ffn_norm.weight", embd);
            b.blk(i, "ffn_gate.weight", embd, ff);
            b.blk(i, "ffn_down.weight", ff, embd);
            b.blk(i, "ffn_up.weight", embd, ff);
        }
        return b.build();
    }
}
