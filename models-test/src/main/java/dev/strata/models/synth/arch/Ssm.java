package dev.strata.models.synth.arch;

import dev.strata.memory.gguf.GgufArray;
import java.util.Arrays;

/**
 * State-space architectures: {@code mamba}, {@code mamba2} (src/models/mamba.cpp, mamba2.cpp) and the
 * {@code granitehybrid} hybrid of mamba2 layers and attention layers (src/models/granite-hybrid.cpp), with
 * the keys their {@code load_arch_hparams} require and the tensors their {@code load_arch_tensors} create.
 * llama.cpp gives these a recurrent memory ({@code llama_memory_recurrent}), and granitehybrid a KV cache
 * for its attention layers beside it.
 *
 * <pre>{@code
 * ModelSpec m = Ssm.mamba(new Ssm.Config("mamba-130m", "gpt-2", 50280, 768, 24, 1536, 16, 4, 48, 0));
 * }</pre>
 */
public final class Ssm {
    private Ssm() {}

    /**
     * A checkpoint's SSM numbers.
     *
     * @param dInner   {@code ssm.inner_size}: 2 * n_embd for mamba and granitehybrid (llama.cpp requires it)
     * @param dState   {@code ssm.state_size}
     * @param dConv    {@code ssm.conv_kernel}
     * @param dtRank   {@code ssm.time_step_rank}: mamba's dt rank; mamba2's and granite's number of SSM heads
     * @param nGroup   {@code ssm.group_count}: 0 for mamba
     */
    public record Config(String name, String vocab, int vocabSize, int embeddingLength, int blockCount, int dInner,
                         int dState, int dConv, int dtRank, int nGroup) {}

    /**
     * The attention part of a granitehybrid model.
     *
     * @param attentionLayers which layers are attention (head_count_kv &gt; 0); the others are mamba2
     */
    public record Hybrid(int headCount, int headCountKv, int feedForwardLength, int... attentionLayers) {}

    public static ModelSpec mamba(Config c) {
        ModelSpec.Builder b = ModelSpec.builder(c.name(), "mamba", c.vocab(), c.vocabSize());
        ssmHparams(b, c, false);
        Blocks.embeddingsAndOutput(b, c.embeddingLength(), c.vocabSize(), true);
        long embd = c.embeddingLength();
        long dInner = c.dInner();
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            b.blk(i, "ssm_in.weight", embd, 2 * dInner);
            b.blk(i, "ssm_conv1d.weight", c.dConv(), dInner);
            b.blk(i, "ssm_conv1d.bias", dInner);
            b.blk(i, "ssm_x.weight", dInner, c.dtRank() + 2L * c.dState());
            b.blk(i, "ssm_dt.weight", c.dtRank(), dInner);
            b.blk(i, "ssm_dt.bias", dInner);
            b.blk(i, "ssm_a", c.dState(), dInner);
            b.blk(i, "ssm_d", dInner);
            b.blk(i, "ssm_out.weight", dInner, embd);
        }
        return b.build();
    }

    public static ModelSpec mamba2(Config c) {
        ModelSpec.Builder b = ModelSpec.builder(c.name(), "mamba2", c.vocab(), c.vocabSize());
        ssmHparams(b, c, true);
        Blocks.embeddingsAndOutput(b, c.embeddingLength(), c.vocabSize(), true);
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", c.embeddingLength());
            mamba2Mixer(b, i, c);
        }
        return b.build();
    }

    public static ModelSpec graniteHybrid(Config c, Hybrid h) {
        long embd = c.embeddingLength();
        long[] headsKv = new long[c.blockCount()];
        for (int il : h.attentionLayers()) {
            headsKv[il] = h.headCountKv();
        }
        ModelSpec.Builder b = ModelSpec.builder(c.name(), "granitehybrid", c.vocab(), c.vocabSize());
        b.u32("context_length", 131072)
                .u32("embedding_length", embd)
                .u32("block_count", c.blockCount())
                .u32("feed_forward_length", h.feedForwardLength())
                .u32("attention.head_count", h.headCount());
        // "A layer is recurrent IFF the n_head_kv value is set to 0"
        b.put("granitehybrid.attention.head_count_kv", GgufArray.ofInts(
                Arrays.stream(headsKv).mapToInt(v -> (int) v).toArray()));
        b.f32("rope.freq_base", 10000f)
                .f32("attention.layer_norm_rms_epsilon", 1e-5f)
                .u32("ssm.conv_kernel", c.dConv())
                .u32("ssm.inner_size", c.dInner())
                .u32("ssm.state_size", c.dState())
                .u32("ssm.time_step_rank", c.dtRank())
                .u32("ssm.group_count", c.nGroup());
        Blocks.embeddingsAndOutput(b, embd, c.vocabSize(), true);
        Blocks.AttentionDims attn = Blocks.AttentionDims.ofEmbd(embd, h.headCount(), h.headCountKv());
        for (int i = 0; i < c.blockCount(); i++) {
            b.blk(i, "attn_norm.weight", embd);
            if (headsKv[i] == 0) {
                mamba2Mixer(b, i, c);
            } else {
                b.blk(i, "attn_q.weight", embd, attn.q());
                b.blk(i, "attn_k.weight", embd, attn.kv());
                b.blk(i, "attn_v.weight", embd, attn.kv());
                b.blk(i, "attn_output.weight", attn.q(), embd);
            }
            b.blk(i, "ffn_norm.weight", embd);
            b.blk(i, "ffn_gate.weight", embd, h.feedForwardLength());
            b.blk(i, "ffn_down.weight", h.feedForwardLength(), embd);
            b.blk(i, "ffn_up.weight", embd, h.feedForwardLength());
        }
        return b.build();
    }

    private static void ssmHparams(ModelSpec.Builder b, Config c, boolean groups) {
        b.u32("context_length", 1048576)
                .u32("embedding_length", c.embeddingLength())
                .u32("feed_forward_length", 0)
                .u32("attention.head_count", 0)
                .u32("block_count", c.blockCount())
                .u32("ssm.conv_kernel", c.dConv())
                .u32("ssm.inner_size", c.dInner())
                .u32("ssm.state_size", c.dState())
                .u32("ssm.time_step_rank", c.dtRank());
        if (groups) {
            b.u32("ssm.group_count", c.nGroup());
        }
        b.f32("attention.layer_norm_rms_epsilon", 1e-5f);
    }

    /** mamba2's mixer (also granitehybrid's SSM layers): in_proj, conv1d, dt bias, A, D, grouped norm, out_proj. */
    private static void mamba2Mixer(ModelSpec.Builder b, int i, Config c) {
        long dInner = c.dInner();
        long conv = dInner + 2L * c.nGroup() * c.dState();
        b.blk(i, "ssm_in.weight", c.embeddingLength(), dInner + conv + c.dtRank());
        b.blk(i, "ssm_conv1d.weight", c.dConv(), conv);
        b.blk(i, "ssm_conv1d.bias", conv);
        b.blk(i, "ssm_dt.bias", c.dtRank());
        b.blk(i, "ssm_a", 1, c.dtRank());
        b.blk(i, "ssm_d", 1, c.dtRank());
        b.blk(i, "ssm_norm.weight", dInner / c.nGroup(), c.nGroup());
        b.blk(i, "ssm_out.weight", dInner, c.embeddingLength());
    }
}
