package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.FfnOrder.GATE_UP_DOWN;

import dev.strata.models.synth.arch.Blocks.AttentionDims;

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
            Blocks.requireHeadsDivide(name, embeddingLength, headCount, headCountKv);
            if ((expertCount == 0) != (expertUsedCount == 0) || expertUsedCount > expertCount) {
                throw new IllegalArgumentException(name + ": " + expertUsedCount + " of " + expertCount + " experts");
            }
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ff = c.feedForwardLength();
        long experts = c.expertCount();
        AttentionDims attn = AttentionDims.ofEmbd(embd, c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "llama", c.vocab(), c.vocabSize())
                .u32("vocab_size", c.vocabSize());
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), ff, c.headCount(), c.headCountKv());
        b.u32("rope.dimension_count", attn.headDim())
                .f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps());
        if (experts > 0) {
            b.u32("expert_count", experts).u32("expert_used_count", c.expertUsedCount());
        }

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), c.tiedEmbeddings());
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.attention(b, i, attn);
            if (experts == 0) {
                Blocks.denseFfn(b, i, embd, ff, GATE_UP_DOWN);
            } else {
                Blocks.experts(b, i, embd, ff, experts);
            }
        }
        return b.build();
    }
}
