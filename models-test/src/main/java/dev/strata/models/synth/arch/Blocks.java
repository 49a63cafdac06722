package dev.strata.models.synth.arch;

import java.util.EnumSet;
import java.util.List;

/**
 * The parts most architectures share, so that each architecture class states only what is special
 * about it, as llama.cpp's src/models/&lt;arch&gt;.cpp files do: the common hyperparameter keys, the
 * embeddings and output head, a pre-norm attention sublayer and its usual variants, the dense FFN
 * and the routed experts.
 *
 * <p>Every method appends to the builder in a fixed order, and order is part of the output: the
 * GGUF header lists keys and tensors in spec order, and {@code SyntheticModels} draws all tensor data
 * from one seeded stream in that order, so writing the same tensors in another order gives other
 * weights for the same seed. That is why the FFN takes an explicit {@link FfnOrder}: the
 * architectures were written with two orders, and each keeps its own.
 *
 * <pre>{@code
 * // a Qwen3-like layer stack: its own head size, Q/K norms, gate-down-up FFN
 * Blocks.AttentionDims attn = Blocks.AttentionDims.ofHeadDim(embd, 128, nHead, nHeadKv);
 * Blocks.commonHparams(b, nCtx, embd, nLayer, ff, nHead, nHeadKv);
 * b.f32("rope.freq_base", 1e6f).f32("attention.layer_norm_rms_epsilon", 1e-6f);
 * Blocks.ownHeadSize(b, 128);
 * Blocks.embeddingsAndOutput(b, embd, nVocab, false);
 * for (int i = 0; i < nLayer; i++) {
 *     Blocks.attention(b, i, attn, AttentionOption.QK_NORMS); // attn_norm, q/k/v, attn_output, k/q norms
 *     Blocks.denseFfn(b, i, embd, ff, FfnOrder.GATE_DOWN_UP);
 * }
 * }</pre>
 */
final class Blocks {
    private Blocks() {}

    /**
     * Widths of one layer's attention projections.
     *
     * @param embd    n_embd: the input width of Q, K, V and the output width of attn_output
     * @param q       n_head * head size: rows of attn_q, input width of attn_output
     * @param kv      n_head_kv * head size: rows of attn_k and attn_v
     * @param headDim one head's size: the length of the per-head Q/K norms
     */
    record AttentionDims(long embd, long q, long kv, long headDim) {

        /** Heads of their own size ({@code attention.key_length}), whatever n_embd / n_head is. */
        static AttentionDims ofHeadDim(long embd, long headDim, long headCount, long headCountKv) {
            return new AttentionDims(embd, headDim * headCount, headDim * headCountKv, headDim);
        }

        /**
         * Q, K and V all n_embd wide: plain multi-head attention without grouped KV heads (BERT).
         * The head size is left 0, as nothing built from these dims reads it; a Q/K norm of it would
         * fail at once, since a tensor needs positive dims.
         */
        static AttentionDims fullWidth(long embd) {
            return new AttentionDims(embd, embd, embd, 0);
        }

        /** Heads of n_embd / n_head, the llama default: attn_q is square. */
        static AttentionDims ofEmbd(long embd, long headCount, long headCountKv) {
            long headDim = embd / headCount;
            return new AttentionDims(embd, embd, headDim * headCountKv, headDim);
        }
    }

    /** What an {@link #attention} sublayer has beyond attn_norm, Q, K, V and attn_output. */
    enum AttentionOption {
        /** attn_q/k/v.bias, written after the three weights (Qwen2). */
        QKV_BIASES,
        /** post_attention_norm after attn_output (Gemma 2 and 3). */
        POST_ATTENTION_NORM,
        /** attn_k_norm and attn_q_norm, an RMS norm on each head, last (Qwen3, Gemma 3). */
        QK_NORMS
    }

    /** The order the three dense FFN matrices are written in; see the class comment for why it is kept. */
    enum FfnOrder {
        /** HF's order (gate_proj, up_proj, down_proj): llama, gemma2, gemma3. */
        GATE_UP_DOWN,
        /** llama.cpp's create_tensor order: qwen2, qwen3, deepseek2's dense layers. */
        GATE_DOWN_UP
    }

    /**
     * The six keys nearly every architecture writes first, in this order: context_length,
     * embedding_length, block_count, feed_forward_length, attention.head_count, head_count_kv.
     * Phi3, DeepSeek2 and Bert keep keys in an order of their own (feed_forward_length before
     * block_count, and more) and do not use this.
     */
    static void commonHparams(ModelSpec.Builder b, long contextLength, long embd, long blockCount,
                              long feedForwardLength, long headCount, long headCountKv) {
        b.u32("context_length", contextLength)
                .u32("embedding_length", embd)
                .u32("block_count", blockCount)
                .u32("feed_forward_length", feedForwardLength)
                .u32("attention.head_count", headCount)
                .u32("attention.head_count_kv", headCountKv);
    }

    /**
     * {@code attention.key_length} and {@code value_length}: llama.cpp takes the head size from these
     * when present, and from n_embd / n_head when not.
     */
    static void ownHeadSize(ModelSpec.Builder b, long headDim) {
        b.u32("attention.key_length", headDim).u32("attention.value_length", headDim);
    }

    /**
     * token_embd, output_norm and, unless the embeddings are tied, output. With tied embeddings
     * llama.cpp finds no {@code output.weight} and reuses token_embd.
     */
    static void embeddingsAndOutput(ModelSpec.Builder b, long embd, long vocab, boolean tied) {
        b.tensor("token_embd.weight", embd, vocab);
        b.tensor("output_norm.weight", embd);
        if (!tied) {
            b.tensor("output.weight", embd, vocab);
        }
    }

    /**
     * A pre-norm attention sublayer: attn_norm, attn_q, attn_k, attn_v, [biases], attn_output,
     * [post_attention_norm], [attn_k_norm, attn_q_norm].
     */
    static void attention(ModelSpec.Builder b, int layer, AttentionDims d, AttentionOption... options) {
        EnumSet<AttentionOption> with = EnumSet.noneOf(AttentionOption.class);
        with.addAll(List.of(options));
        b.blk(layer, "attn_norm.weight", d.embd());
        b.blk(layer, "attn_q.weight", d.embd(), d.q());
        b.blk(layer, "attn_k.weight", d.embd(), d.kv());
        b.blk(layer, "attn_v.weight", d.embd(), d.kv());
        if (with.contains(AttentionOption.QKV_BIASES)) {
            b.blk(layer, "attn_q.bias", d.q());
            b.blk(layer, "attn_k.bias", d.kv());
            b.blk(layer, "attn_v.bias", d.kv());
        }
        b.blk(layer, "attn_output.weight", d.q(), d.embd());
        if (with.contains(AttentionOption.POST_ATTENTION_NORM)) {
            b.blk(layer, "post_attention_norm.weight", d.embd());
        }
        if (with.contains(AttentionOption.QK_NORMS)) {
            b.blk(layer, "attn_k_norm.weight", d.headDim());
            b.blk(layer, "attn_q_norm.weight", d.headDim());
        }
    }

    /**
     * Q, K, V and output, each followed by its bias (gpt-oss, BERT); no norms, as those two place
     * theirs differently.
     */
    static void biasedProjections(ModelSpec.Builder b, int layer, AttentionDims d) {
        b.blk(layer, "attn_q.weight", d.embd(), d.q());
        b.blk(layer, "attn_q.bias", d.q());
        b.blk(layer, "attn_k.weight", d.embd(), d.kv());
        b.blk(layer, "attn_k.bias", d.kv());
        b.blk(layer, "attn_v.weight", d.embd(), d.kv());
        b.blk(layer, "attn_v.bias", d.kv());
        b.blk(layer, "attn_output.weight", d.q(), d.embd());
        b.blk(layer, "attn_output.bias", d.embd());
    }

    /** ffn_norm, then the gated FFN ffn_gate, ffn_up ({n_embd, n_ff}) and ffn_down ({n_ff, n_embd}). */
    static void denseFfn(ModelSpec.Builder b, int layer, long embd, long ff, FfnOrder order) {
        b.blk(layer, "ffn_norm.weight", embd);
        b.blk(layer, "ffn_gate.weight", embd, ff);
        // ffn_down's ne0 is n_ff: a quantized type needs it to be whole blocks too
        if (order == FfnOrder.GATE_UP_DOWN) {
            b.blk(layer, "ffn_up.weight", embd, ff);
            b.blk(layer, "ffn_down.weight", ff, embd);
        } else {
            b.blk(layer, "ffn_down.weight", ff, embd);
            b.blk(layer, "ffn_up.weight", embd, ff);
        }
    }

    /**
     * ffn_norm, the router ffn_gate_inp and the routed experts as the merged 3-D tensors of current
     * GGUFs ({@code ffn_gate_exps}, not the old {@code blk.N.ffn_gate.E} split), gate, down, up.
     *
     * @param ff one expert's width
     */
    static void experts(ModelSpec.Builder b, int layer, long embd, long ff, long expertCount) {
        b.blk(layer, "ffn_norm.weight", embd);
        b.blk(layer, "ffn_gate_inp.weight", embd, expertCount);
        b.blk(layer, "ffn_gate_exps.weight", embd, ff, expertCount);
        b.blk(layer, "ffn_down_exps.weight", ff, embd, expertCount);
        b.blk(layer, "ffn_up_exps.weight", embd, ff, expertCount);
    }

    /**
     * The check of the architectures whose head size is n_embd / n_head: the heads must divide
     * n_embd and the KV heads the heads.
     */
    static void requireHeadsDivide(String name, int embd, int headCount, int headCountKv) {
        if (embd % headCount != 0 || headCount % headCountKv != 0) {
            throw new IllegalArgumentException(name + ": heads do not divide n_embd " + embd);
        }
    }
}
