package dev.strata.models.synth.arch;

import static dev.strata.models.synth.arch.Blocks.AttentionOption.QKV_BIASES;
import static dev.strata.models.synth.arch.Blocks.FfnOrder.GATE_DOWN_UP;

import dev.strata.models.synth.arch.Blocks.AttentionDims;


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
            Blocks.requireHeadsDivide(name, embeddingLength, headCount, headCountKv);
        }
    }

    public static ModelSpec spec(Config c) {
        long embd = c.embeddingLength();
        long ff = c.feedForwardLength();
        AttentionDims attn = AttentionDims.ofEmbd(embd, c.headCount(), c.headCountKv());

        ModelSpec.Builder b = ModelSpec.builder(c.name(), "qwen2", "qwen2", c.vocabSize());
        Blocks.commonHparams(b, c.contextLength(), embd, c.blockCount(), ff, c.headCount(), c.headCountKv());
        b.f32("rope.freq_base", c.ropeFreqBase())
                .f32("attention.layer_norm_rms_epsilon", c.rmsEps());

        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), c.tiedEmbeddings());
        for (int i = 0; i < c.blockCount(); i++) {
            Blocks.attention(b, i, attn, QKV_BIASES);
            Blocks.denseFfn(b, i, embd, ff, GATE_DOWN_UP);
        }
        return b.build();
    }
}
