package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;

/**
 * build_moe_ffn of llm_graph_context: router logits, softmax, top-k experts, their normalised
 * weights, the experts' matmuls (mul_mat_id), and the weighted sum over the used experts.
 */
final class MoeGraph {
    static final boolean SUPPORTED = true;

    private MoeGraph() {}

    /** Softmax gating with normalised weights (llama/mixtral, qwen3moe). */
    static Tensor softmaxGated(TransformerGraph t, int il, Tensor cur) {
        return softmax(t, il, cur, true);
    }

    /**
     * Softmax gating without normalising the selected weights and with a weight scale of 1
     * (deepseek2 V2 / V2-Lite: expert_weights_norm false, expert_weights_scale 1, one expert group).
     */
    static Tensor softmaxUnnormalised(TransformerGraph t, int il, Tensor cur) {
        return softmax(t, il, cur, false);
    }

    private static Tensor softmax(TransformerGraph t, int il, Tensor cur, boolean normalise) {
        Graph g = t.g;
        long nExpert = t.dim("blk." + il + ".ffn_gate_inp.weight", 1);
        long used = t.shape.expertUsedCount();
        long embd = cur.ne[0];
        long tokens = cur.ne[1];
        Tensor[] routed = softmaxRouter(t, il, cur, nExpert, used, tokens);
        Tensor selected = routed[0];
        Tensor weights = routed[1];
        if (normalise) {
            // norm_w: weights divided by their sum, clamped away from zero
            weights = g.reshape(weights, used, tokens);
            Tensor sum = g.clamp(g.sumRows(weights));
            weights = g.div(weights, sum);
            weights = g.reshape(weights, 1, used, tokens);
        }
        g.expand(weights);
        Tensor x = g.reshape(cur, embd, 1, tokens);
        Tensor up = g.mulMatId(t.layerWeight(il, "ffn_up_exps.weight"), x, selected);
        Tensor gate = g.mulMatId(t.layerWeight(il, "ffn_gate_exps.weight"), x, selected);
        Tensor act = g.gluSplit(gate, up);
        Tensor experts = g.mulMatId(t.layerWeight(il, "ffn_down_exps.weight"), act, selected);
        experts = g.mul(experts, weights);
        g.expand(experts);
        return sumExperts(g, experts, used, embd, tokens);
    }

    /**
     * SOFTMAX_WEIGHT gating with biases on the router and on every expert, and swiglu_oai
     * (gpt-oss): top-k on the raw (biased) logits, softmax over the selected ones only, each
     * expert matmul followed by ggml_add_id of its bias.
     */
    static Tensor softmaxWeightBiased(TransformerGraph t, int il, Tensor cur) {
        Graph g = t.g;
        long nExpert = t.dim("blk." + il + ".ffn_gate_inp.weight", 1);
        long used = t.shape.expertUsedCount();
        long embd = cur.ne[0];
        long tokens = cur.ne[1];
        Tensor logits = t.linear(t.layerWeight(il, "ffn_gate_inp.weight"), cur, t.layerWeight(il, "ffn_gate_inp.bias"));
        Tensor selected = topK(g, logits, used);
        Tensor weights = g.getRows(g.reshape(logits, 1, nExpert, tokens), selected);
        weights = g.reshape(weights, used, tokens);
        weights = g.softMax(weights, null, null);
        weights = g.reshape(weights, 1, used, tokens);
        g.expand(weights);
        Tensor x = g.reshape(cur, embd, 1, tokens);
        Tensor up = g.mulMatId(t.layerWeight(il, "ffn_up_exps.weight"), x, selected);
        up = addBias(g, up, t.layerWeight(il, "ffn_up_exps.bias"), selected);
        Tensor gate = g.mulMatId(t.layerWeight(il, "ffn_gate_exps.weight"), x, selected);
        gate = addBias(g, gate, t.layerWeight(il, "ffn_gate_exps.bias"), selected);
        Tensor act = g.gluSplit(gate, up);
        Tensor experts = g.mulMatId(t.layerWeight(il, "ffn_down_exps.weight"), act, selected);
        experts = addBias(g, experts, t.layerWeight(il, "ffn_down_exps.bias"), selected);
        experts = g.mul(experts, weights);
        g.expand(experts);
        return sumExperts(g, experts, used, embd, tokens);
    }

    private static Tensor addBias(Graph g, Tensor x, Tensor bias, Tensor selected) {
        return bias == null ? x : g.addId(x, bias, selected);
    }

    /**
     * The router of softmax gating: logits, softmax over all experts, the top {@code used} (argsort and a
     * view), and their probabilities gathered: {selected experts, their weights [1, used, tokens]}.
     */
    private static Tensor[] softmaxRouter(TransformerGraph t, int il, Tensor cur, long nExpert, long used, long tokens) {
        Graph g = t.g;
        Tensor logits = t.linear(t.layerWeight(il, "ffn_gate_inp.weight"), cur, t.layerWeight(il, "ffn_gate_inp.bias"));
        Tensor probs = g.softMax(logits, null, null);
        Tensor selected = topK(g, probs, used);
        return new Tensor[] {selected, g.getRows(g.reshape(probs, 1, nExpert, tokens), selected)};
    }

    /** ggml_argsort_top_k: the descending argsort, viewed down to its first k columns. */
    static Tensor topK(Graph g, Tensor scores, long k) {
        Tensor sorted = g.argsort(scores);
        return g.view(sorted, new long[] {k, sorted.ne[1], sorted.ne[2], sorted.ne[3]},
                new long[] {sorted.nb[1], sorted.nb[2], sorted.nb[3]}, 0);
    }

    /** The used experts' outputs added up, each a view of the mul_mat_id result, expanded one by one. */
    static Tensor sumExperts(Graph g, Tensor experts, long used, long embd, long tokens) {
        Tensor[] views = new Tensor[(int) used];
        for (int i = 0; i < used; i++) {
            views[i] = g.view(experts, new long[] {embd, tokens}, new long[] {experts.nb[2]}, i * experts.nb[1]);
            g.expand(views[i]);
        }
        Tensor out = views[0];
        for (int i = 1; i < used; i++) {
            out = g.add(out, views[i]);
            g.expand(out);
        }
        return used == 1 ? g.cont(out) : out;
    }

    static GgmlType indexType() {
        return GgmlType.I32;
    }
}
