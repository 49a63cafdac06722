package dev.strata.models.synth.arch;

import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;

/**
 * The {@code bert} architecture (src/models/bert.cpp): an encoder for embeddings, with learned
 * position and token-type embeddings, biases on every projection, post-norms with biases (LayerNorm,
 * not RMS) and no output matrix. llama.cpp needs a token-type count
 * ({@code tokenizer.ggml.token_type_count}) that llama.cpp's bert-bge vocab file lacks; the spec
 * carries it.
 *
 * <pre>{@code
 * ModelSpec minilm = Bert.spec(new Bert.Config("all-MiniLM-L6-v2", 30522, 512, 384, 6, 1536, 12, 1e-12f, 1, 2));
 * }</pre>
 */
public final class Bert {
    private Bert() {}

    /**
     * A checkpoint's config.json numbers. The tokenizer is llama.cpp's {@code bert-bge} vocabulary.
     *
     * @param layerNormEps   layer_norm_eps
     * @param poolingType    llama.cpp's {@code enum llama_pooling_type}: 1 mean, 2 CLS
     * @param tokenTypeCount type_vocab_size
     */
    public record Config(String name, int vocabSize, int contextLength, int embeddingLength, int blockCount,
                         int feedForwardLength, int headCount, float layerNormEps, int poolingType, int tokenTypeCount) {}

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ff = c.feedForwardLength();
        Blocks.AttentionDims attn = Blocks.AttentionDims.fullWidth(embd);

        // Not Blocks.commonHparams: an encoder has no KV heads, and the real all-MiniLM-L6-v2 GGUF
        // has feed_forward_length before block_count; this keeps its order.
        ModelSpec.Builder b = ModelSpec.builder(c.name(), "bert", "bert-bge", c.vocabSize())
                .u32("context_length", c.contextLength())
                .u32("embedding_length", embd)
                .u32("feed_forward_length", ff)
                .u32("block_count", c.blockCount())
                .u32("attention.head_count", c.headCount())
                .f32("attention.layer_norm_epsilon", c.layerNormEps())
                .bool("attention.causal", false)
                .u32("pooling_type", c.poolingType())
                .put("tokenizer.ggml.token_type_count", new GgufValue.IntValue(GgufValueType.UINT32, c.tokenTypeCount()));

        b.tensor("token_embd.weight", embd, c.vocabSize());
        b.tensor("token_types.weight", embd, c.tokenTypeCount());
        b.tensor("position_embd.weight", embd, c.contextLength());
        b.tensor("token_embd_norm.weight", embd);
        b.tensor("token_embd_norm.bias", embd);
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.biasedProjections(b, i, attn);
            b.blk(i, "ffn_up.weight", embd, ff);
            b.blk(i, "ffn_up.bias", ff);
            b.blk(i, "ffn_down.weight", ff, embd);
            b.blk(i, "ffn_down.bias", embd);
            b.blk(i, "attn_output_norm.weight", embd);
            b.blk(i, "attn_output_norm.bias", embd);
            b.blk(i, "layer_output_norm.weight", embd);
            b.blk(i, "layer_output_norm.bias", embd);
        }
        return b.build();
    }
}
