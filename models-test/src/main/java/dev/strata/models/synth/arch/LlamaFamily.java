package dev.strata.models.synth.arch;

/**
 * The {@code llama} architecture: Llama 2/3, Mistral, and with experts Mixtral. llama.cpp loads them
 * all through {@code llama_model_llama} (src/models/llama.cpp).
 *
 * <p>Metadata as convert_hf_to_gguf's LlamaModel writes it; llama.cpp requires
 * {@code rope.dimension_count == n_embd / n_head} for this architecture ("invalid n_rot"), and reads
 * {@code vocab_size} only to tell sizes apart (32 layers and under 40000 tokens is "7B").
 *
 * <pre>{@code
 * ModelSpec mixtral = LlamaFamily.spec(new LlamaFamily.Config("mixtral-8x7b", "llama-spm", 32000,
 *         32768, 4096, 32, 14336, 32, 8, 1e6f, 1e-5f, 8, 2, false));
 * }</pre>
 */
public final class LlamaFamily {
    private LlamaFamily() {}

    /**
     * A checkpoint's config.json numbers.
     *
     * @param name              {@code general.name}
     * @param vocab             borrowed tokenizer, see {@link ModelSpec#vocab()}
     * @param vocabSize         vocab_size
     * @param contextLength     max_position_embeddings
     * @param embeddingLength   hidden_size
     * @param blockCount        num_hidden_layers
     * @param feedForwardLength intermediate_size (per expert in a MoE)
     * @param headCount         num_attention_heads; divides hidden_size
     * @param headCountKv       num_key_value_heads
     * @param ropeFreqBase      rope_theta
     * @param rmsEps            rms_norm_eps
     * @param expertCount       num_local_experts; 0 for a dense model
     * @param expertUsedCount   num_experts_per_tok; 0 for a dense model
     * @param tiedEmbeddings    tie_word_embeddings: no {@code output.weight}
     */
    public record Config(String name, String vocab, int vocabSize, int contextLength, int embeddingLength,
                         int blockCount, int feedForwardLength, int headCount, int headCountKv, float ropeFreqBase,
                         float rmsEps, int expertCount, int expertUsedCount, boolean tiedEmbeddings) {
        public Config {
            if (embeddingLength % headCount != 0 || headCount % headCountKv != 0) {
                throw new IllegalArgumentException(name + ": heads do not divide n_embd " + embeddingLength);
            }
            if ((expertCount == 0) != (expertUsedCount == 0) || expertUsedCount > expertCount) {
                throw new IllegalArgumentException(name + ": " + expertUsedCount + " of " + expertCount + " experts");
            }
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long headDim = embd / c.headCount();
        long embdKv = headDim * c.headCountKv();
        long ff = c.feedForwardLength();
        long vocab = c.vocabSize();
        long experts = c.expertCount();

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "llama", c.vocab(), c.vocabSize())
                .u32("vocab_size", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("block_count", c.blockCount())
                .u32("feed_forward_length", ff)
                .u32("attention.head_count", c.headCount())
                .u32("attention.head_count_kv", c.headCountKv())
                .u32("rope.dimension_count", headDim)
                .f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps());
        if (experts > 0) {
            b.u32("expert_count", experts).u32("expert_used_count", c.expertUsedCount());
        }

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
            b.blk(i, "attn_output.weight", embd, embd);
            b.blk(i, "ffn_norm.weight", embd);
            if (experts == 0) {
                b.blk(i, "ffn_gate.weight", embd, ff);
                b.blk(i, "ffn_up.weight", embd, ff);
                b.blk(i, "ffn_down.weight", ff, embd); // ne0 is n_ff: it must be whole blocks too
            } else {
                // The merged 3-D expert tensors of current GGUFs, not the old blk.N.ffn_gate.E split.
                b.blk(i, "ffn_gate_inp.weight", embd, experts);
                b.blk(i, "ffn_gate_exps.weight", embd, ff, experts);
                b.blk(i, "ffn_down_exps.weight", ff, embd, experts);
                b.blk(i, "ffn_up_exps.weight", embd, ff, experts);
            }
        }
        return b.build();
    }
}
