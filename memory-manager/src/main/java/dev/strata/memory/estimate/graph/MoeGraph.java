package dev.strata.memory.estimate.graph;

/** build_moe_ffn of llm_graph_context: router, top-k experts, expert matmuls, weighted sum. */
final class MoeGraph {
    static final boolean SUPPORTED = false;

    private MoeGraph() {}

    static Tensor softmaxGated(TransformerGraph t, int il, Tensor cur) {
        throw new UnsupportedOperationException("moe");
    }
}
