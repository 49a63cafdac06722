package dev.strata.memory.shape;

/**
 * What a weight tensor is for, as far as memory planning cares: the planner moves whole layers,
 * or only a layer's {@link #EXPERTS}, so bytes are kept per group.
 *
 * <pre>{@code
 * TensorNames.classify("blk.3.ffn_up_exps.weight").group();   // EXPERTS
 * }</pre>
 */
public enum TensorGroup {
    /** {@code token_embd}, {@code position_embd}, {@code token_types}: the input layer, always on the CPU. */
    EMBEDDING,
    /** Attention projections of a layer: {@code attn_q/k/v/output}, fused {@code attn_qkv}, MLA's {@code attn_kv_a_mqa} and friends, {@code attn_sinks}. */
    ATTENTION,
    /** The dense feed-forward of a layer: {@code ffn_gate/up/down}. */
    FFN,
    /** Routed MoE experts, every {@code *_exps} tensor: what a tensor override keeps on the CPU. */
    EXPERTS,
    /** Shared (always active) experts: {@code *_shexp}. */
    SHARED_EXPERTS,
    /** Norms, the MoE router ({@code ffn_gate_inp}), rope factors and anything else small. */
    NORM_OTHER,
    /** The LM head {@code output.weight} and classifier heads. */
    OUTPUT,
    /** {@code output_norm}. */
    OUTPUT_NORM
}
