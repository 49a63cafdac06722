package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The allocation dependencies the CUDA backend adds to a split's graph for the fusions it will run
 * ({@code ggml_backend_cuda_graph_optimize}): a fused kernel reads and writes tensors that ggml-alloc
 * would otherwise free or overwrite in place between the fused operations, so the backend asks the
 * scheduler to keep them alive until a later node. Two fusions matter for the graphs modelled here:
 * the mixture-of-experts top-k (softmax, argsort, get_rows, optional normalisation) and the weighted
 * reduction of the used experts (the mul by the router weights and the adds over the experts'
 * views). This is why a MoE model's CUDA compute buffer is larger than its CPU one: the experts'
 * output can no longer be multiplied by the weights in place.
 *
 * <p>Mirrors {@code ggml_cuda_match_moe_weighted_reduction}, {@code ggml_cuda_topk_moe_fusion},
 * {@code ggml_can_fuse_subgraph} and {@code ggml_cuda_should_use_topk_moe} of llama.cpp v0.5.0, with
 * fusion enabled (no GGML_CUDA_DISABLE_FUSION). Sigmoid and sqrt-softplus gating (unary ops) and
 * the delayed-softmax form (which adds no dependency) are not matched: the modelled graphs' unary
 * operations are activations.
 */
final class CudaFusionDeps {
    /** ggml_can_fuse_subgraph accepts at most 31 nodes: 2k + 1 for the two-mul form. */
    private static final int MOE_WEIGHTED_REDUCTION_MAX_EXPERTS = 15;

    private final List<Tensor> all;
    private final int start;
    private final int n;
    private final Map<Tensor, Integer> useCounts;
    private final Map<Tensor, List<Tensor>> deps;

    private CudaFusionDeps(List<Tensor> all, int start, int end, Map<Tensor, Integer> useCounts,
                           Map<Tensor, List<Tensor>> deps) {
        this.all = all;
        this.start = start;
        this.n = end - start;
        this.useCounts = useCounts;
        this.deps = deps;
    }

    /**
     * Adds to {@code deps} (until-node to kept tensors, in the order ggml adds them) the dependencies
     * of one CUDA split, nodes {@code [start, end)} of {@code nodes}; {@code useCounts} are the
     * original graph's (ggml_node_get_use_count), counted before the scheduler swapped in copies.
     */
    static void collect(List<Tensor> nodes, int start, int end, Map<Tensor, Integer> useCounts,
                        Map<Tensor, List<Tensor>> deps) {
        new CudaFusionDeps(nodes, start, end, useCounts, deps).run();
    }

    /**
     * A node of the split by its index in the split; like ggml's graph view, an index past the split
     * reads on into the whole graph (some checks of ggml_cuda_topk_moe_fusion have no bound).
     */
    private Tensor node(int i) {
        int k = start + i;
        return k >= 0 && k < all.size() ? all.get(k) : null;
    }

    private static Tensor src(Tensor t, int j) {
        return t != null && j < t.src.size() ? t.src.get(j) : null;
    }

    private static boolean is(Tensor t, Op op) {
        return t != null && t.op == op;
    }

    private void addDep(Tensor tensor, Tensor until) {
        List<Tensor> keep = deps.computeIfAbsent(until, k -> new ArrayList<>());
        for (Tensor t : keep) {
            if (t == tensor) {
                return;
            }
        }
        keep.add(tensor);
    }

    /** add_alloc_deps: nodes [from, last) and their sources kept until node {@code last}. */
    private void addDeps(int from, int last) {
        Tensor until = node(last);
        if (until == null) {
            return;
        }
        for (int i = from; i < last; i++) {
            Tensor t = node(i);
            addDep(t, until);
            for (Tensor s : t.src) {
                addDep(s, until);
            }
        }
    }

    private void run() {
        for (int i = 0; i < n; i++) {
            Reduction match = matchWeightedReduction(i);
            if (match != null) {
                addDep(match.experts, match.dst);
                addDep(match.weights, match.dst);
                if (match.expertScale != null) {
                    addDep(match.expertScale, match.dst);
                }
                i += match.nodeCount - 1;
            }
            Tensor node = node(i);
            if (node.op != Op.UNARY && node.op != Op.SOFT_MAX && node.op != Op.ARGSORT) {
                continue;
            }
            TopK args = topkMoeFusion(i);
            if (args == null || args.delayedSoftmax) {
                continue;
            }
            List<Op> ops = new ArrayList<>(List.of(Op.SOFT_MAX));
            int iProbs = i + ops.size() - 1;
            int ids;
            if (args.probBias) {
                ops.addAll(List.of(Op.RESHAPE, Op.ADD, Op.ARGSORT, Op.VIEW, Op.GET_ROWS));
                ids = iProbs + 4;
            } else {
                ops.addAll(List.of(Op.RESHAPE, Op.ARGSORT, Op.VIEW, Op.GET_ROWS));
                ids = iProbs + 3;
            }
            if (args.norm) {
                ops.addAll(List.of(Op.RESHAPE, Op.SUM_ROWS, Op.CLAMP, Op.DIV, Op.RESHAPE));
            }
            if (args.scale) {
                ops.add(Op.SCALE);
            }
            int weights = i + ops.size() - 1;
            if (canFuseSubgraph(i, ops, new int[] {ids, weights})
                    && shouldUseTopkMoe(node, src(node, 0), node(weights), node(ids))) {
                // ggml passes i + ops.size() as the last node: the fused tensors live until the node after them
                addDeps(i, i + ops.size());
                i += ops.size() - 1;
            }
        }
    }

    private static final class TopK {
        boolean delayedSoftmax;
        boolean probBias;
        boolean norm;
        boolean scale;
    }

    /** ggml_cuda_topk_moe_fusion, softmax gating; null where it returns false. */
    private TopK topkMoeFusion(int i) {
        TopK args = new TopK();
        Tensor first = node(i);
        if (first.op == Op.UNARY) {
            return null; // only sigmoid and sqrt(softplus) gating fuse; the modelled unary ops are activations
        }
        if (first.op == Op.ARGSORT) {
            args.delayedSoftmax = true;
            return args; // the delayed-softmax form adds no dependency whether it matches or not
        }
        i++;
        // SOFT_MAX -> RESHAPE
        if (i >= n || !is(node(i), Op.RESHAPE) || src(node(i), 0) != node(i - 1)) {
            return null;
        }
        Tensor probsReshaped = node(i);
        i++;
        if (i >= n) {
            return null;
        }
        // the bias add reads the probs before the reshape
        if (is(node(i), Op.ADD) && src(node(i), 0) == node(i - 2)) {
            args.probBias = true;
            i++;
        }
        if (i >= n || !is(node(i), Op.ARGSORT)) {
            return null;
        }
        if (src(node(i), 0) != node(args.probBias ? i - 1 : i - 2)) {
            return null;
        }
        i++;
        if (i >= n || !is(node(i), Op.VIEW) || src(node(i), 0) != node(i - 1)) {
            return null;
        }
        i++;
        if (i >= n || !is(node(i), Op.GET_ROWS)) {
            return null;
        }
        if (src(node(i), 0) != probsReshaped || src(node(i), 1) != node(i - 1)) {
            return null;
        }
        i++;
        if (i >= n) {
            return args;
        }
        if (is(node(i), Op.RESHAPE)) {
            // RESHAPE -> SUM_ROWS -> CLAMP -> DIV -> RESHAPE
            args.norm = true;
            for (Op op : List.of(Op.RESHAPE, Op.SUM_ROWS, Op.CLAMP)) {
                if (is(node(i), op) && src(node(i), 0) == node(i - 1)) {
                    i++;
                } else {
                    args.norm = false;
                    return args;
                }
            }
            if (!is(node(i), Op.DIV) || src(node(i), 1) != node(i - 1) || src(node(i), 0) != node(i - 3)) {
                args.norm = false;
                return args;
            }
            i++;
            if (!is(node(i), Op.RESHAPE) || src(node(i), 0) != node(i - 1)) {
                args.norm = false;
                return args;
            }
            i++;
        }
        if (is(node(i), Op.SCALE) && src(node(i), 0) == node(i - 1)) {
            args.scale = true;
        }
        return args;
    }

    /** ggml_cuda_should_use_topk_moe for softmax gating (its weights and logits arguments are both only checked for contiguity). */
    private static boolean shouldUseTopkMoe(Tensor softmax, Tensor logits, Tensor weights, Tensor ids) {
        // a power of 2 up to 512, or an expert count of a supported model with a kernel of its own
        long nExpert = ids.nb[1] / ids.nb[0];
        if (((nExpert & (nExpert - 1)) != 0 || nExpert > 512) && nExpert != 288 && nExpert != 576) {
            return false;
        }
        if (!weights.isContiguous() || !logits.isContiguous() || !softmax.src.get(0).isContiguous()) {
            return false;
        }
        // no mask or sinks (the modelled softmaxes have no scale or ALiBi bias other than attention's, which has a mask)
        return softmax.src.size() == 1;
    }

    /** ggml_can_fuse_subgraph: every node but the outputs used only inside the subgraph, views of it or of weights. */
    private boolean canFuseSubgraph(int from, List<Op> ops, int[] outputs) {
        int count = ops.size();
        if (from + count > n) {
            return false;
        }
        List<Tensor> sub = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sub.add(node(from + i));
        }
        for (int i = 0; i < count; i++) {
            Tensor t = sub.get(i);
            if (t.op != ops.get(i)) {
                return false;
            }
            boolean isOutput = false;
            for (int o : outputs) {
                isOutput |= node(o) == t;
            }
            if (isOutput) {
                continue;
            }
            if (t.output) {
                return false;
            }
            int uses = 0;
            for (int j = i + 1; j < count; j++) {
                for (Tensor s : sub.get(j).src) {
                    if (s == t) {
                        uses++;
                    }
                }
            }
            if (uses != useCounts.getOrDefault(t, 0)) {
                return false;
            }
            Tensor base = t.viewSrc;
            if (base != null && !containsIdentity(sub, base) && !(base.external && base.weights)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIdentity(List<Tensor> list, Tensor t) {
        for (Tensor x : list) {
            if (x == t) {
                return true;
            }
        }
        return false;
    }

    private record Reduction(Tensor experts, Tensor expertScale, Tensor weights, Tensor dst, int nodeCount) {}

    private static boolean f32Contiguous(Tensor t) {
        return t != null && t.type == GgmlType.F32 && t.isContiguous();
    }

    /** {full, broadcast} sources of a mul of the experts by a [1, used, tokens] tensor, or null. */
    private static Tensor[] splitMul(Tensor mul) {
        Tensor a = src(mul, 0);
        Tensor b = src(mul, 1);
        if (isExperts(mul, a) && isWeights(mul, b)) {
            return new Tensor[] {a, b};
        }
        if (isExperts(mul, b) && isWeights(mul, a)) {
            return new Tensor[] {b, a};
        }
        return null;
    }

    private static boolean isWeights(Tensor mul, Tensor t) {
        return f32Contiguous(t) && t.ne[0] == 1 && t.ne[1] == mul.ne[1] && t.ne[2] == mul.ne[2] && t.ne[3] == mul.ne[3];
    }

    private static boolean isExperts(Tensor mul, Tensor t) {
        return f32Contiguous(t) && Arrays.equals(t.ne, mul.ne);
    }

    /** ggml_cuda_match_moe_weighted_reduction: (experts [* scale]) * router weights, then the sum over the experts' views. */
    private Reduction matchWeightedReduction(int idx) {
        Tensor first = node(idx);
        if (first.op != Op.MUL || !f32Contiguous(first)) {
            return null;
        }
        Tensor weighted = first;
        Tensor experts = null;
        Tensor expertScale = null;
        Tensor weights = null;
        int mulCount = 1;
        if (idx + 1 < n) {
            Tensor second = node(idx + 1);
            if (second.op == Op.MUL && f32Contiguous(second)) {
                Tensor[] outer = splitMul(second);
                Tensor[] inner = outer != null && outer[0] == first ? splitMul(first) : null;
                if (inner != null) {
                    weighted = second;
                    experts = inner[0];
                    expertScale = inner[1];
                    weights = outer[1];
                    mulCount = 2;
                }
            }
        }
        if (experts == null) {
            Tensor[] split = splitMul(first);
            if (split == null) {
                return null;
            }
            experts = split[0];
            weights = split[1];
        }
        long used = weighted.ne[1];
        long tokens = weighted.ne[2] * weighted.ne[3];
        if (used < 2 || used > MOE_WEIGHTED_REDUCTION_MAX_EXPERTS || tokens <= 0) {
            return null;
        }
        int nodeCount = (int) (2 * used + mulCount - 1);
        if (idx + nodeCount > n) {
            return null;
        }
        List<Op> ops = new ArrayList<>();
        ops.add(Op.MUL);
        if (mulCount == 2) {
            ops.add(Op.MUL);
        }
        List<Tensor> views = new ArrayList<>();
        Tensor previous = null;
        int adds = 0;
        for (int offset = mulCount; offset < nodeCount; offset++) {
            Tensor c = node(idx + offset);
            ops.add(c.op);
            if (c.op == Op.VIEW) {
                int expert = views.size();
                if (expert >= used || src(c, 0) != weighted || c.viewSrc != weighted || c.type != GgmlType.F32
                        || c.ne[0] != weighted.ne[0] || c.ne[1] != tokens || c.ne[2] != 1 || c.ne[3] != 1
                        || c.nb[0] != weighted.nb[0] || c.nb[1] != weighted.nb[2]
                        || c.viewOffset != expert * weighted.nb[1]) {
                    return null;
                }
                views.add(c);
                continue;
            }
            if (c.op != Op.ADD || views.size() < 2 || adds + 1 >= views.size()) {
                return null;
            }
            Tensor lhs = adds == 0 ? views.get(0) : previous;
            Tensor rhs = views.get(adds + 1);
            if (src(c, 0) != lhs || src(c, 1) != rhs || c.type != GgmlType.F32) {
                return null;
            }
            previous = c;
            adds++;
        }
        if (views.size() != used || adds != used - 1 || previous == null) {
            return null;
        }
        if (!previous.isContiguous() || previous.ne[0] != weighted.ne[0] || previous.ne[1] != tokens
                || previous.ne[2] != 1 || previous.ne[3] != 1) {
            return null;
        }
        int output = idx + nodeCount - 1;
        if (!canFuseSubgraph(idx, ops, new int[] {output})) {
            return null;
        }
        return new Reduction(experts, expertScale, weights, node(output), nodeCount);
    }
}
