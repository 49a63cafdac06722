package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A ggml compute graph as llama.cpp builds it, reduced to what memory depends on: each operation's
 * result type, shape and strides (the rules of ggml.c), and the order {@code ggml_build_forward_expand}
 * visits tensors in. Architecture builders ({@link ArchitectureGraphs}) call the operations in the
 * order llama.cpp's model code does; {@link ComputeAllocator} then replays ggml-alloc over the result.
 *
 * <pre>{@code
 * Graph g = new Graph();
 * Tensor x = g.input(GgmlType.F32, 4096, 512);
 * Tensor y = g.rmsNorm(x);
 * g.expand(y);
 * ComputeAllocator.peakBytes(g, 32);
 * }</pre>
 */
public final class Graph {
    private final List<Tensor> nodes = new ArrayList<>();
    private final List<Tensor> leafs = new ArrayList<>();
    private int counter;

    public List<Tensor> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Tensor> leafs() {
        return Collections.unmodifiableList(leafs);
    }

    private static long[] shape(long... ne) {
        long[] s = {1, 1, 1, 1};
        System.arraycopy(ne, 0, s, 0, ne.length);
        return s;
    }

    private Tensor make(Op op, GgmlType type, long[] ne, List<Tensor> src) {
        return new Tensor(null, op, type, ne, Tensor.contiguousStrides(type, ne), src, null, 0, false);
    }

    private Tensor viewOf(Op op, Tensor a, long[] ne, long[] nb, long offset, List<Tensor> src) {
        Tensor base = a.viewSrc != null ? a.viewSrc : a;
        long offs = (a.viewSrc != null ? a.viewOffset : 0) + offset;
        return new Tensor(null, op, a.type, ne, nb, src, base, offs, false);
    }

    // leafs

    /** A weight or a KV-cache tensor: memory of its own outside the compute buffer. */
    public Tensor external(GgmlType type, long... ne) {
        return external("CPU", false, type, ne);
    }

    /** An external tensor in a buffer of {@code device}; {@code weights} for model weights, false for the KV cache. */
    public Tensor external(String device, boolean weights, GgmlType type, long... ne) {
        long[] s = shape(ne);
        Tensor t = new Tensor(null, Op.NONE, type, s, Tensor.contiguousStrides(type, s), List.of(), null, 0, true);
        t.device = device;
        t.weights = weights;
        return t;
    }

    /** A graph input (ggml_set_input): allocated in the compute buffer before any operation runs. */
    public Tensor input(GgmlType type, long... ne) {
        Tensor t = make(Op.NONE, type, shape(ne), List.of());
        t.input = true;
        return t;
    }

    // operations, as ggml.c shapes their results

    public Tensor getRows(Tensor a, Tensor rows) {
        GgmlType type = a.type == GgmlType.I32 ? GgmlType.I32 : GgmlType.F32;
        return make(Op.GET_ROWS, type, shape(a.ne[0], rows.ne[0], rows.ne[1], rows.ne[2]), List.of(a, rows));
    }

    public Tensor mulMat(Tensor a, Tensor b) {
        return make(Op.MUL_MAT, GgmlType.F32, shape(a.ne[1], b.ne[1], b.ne[2], b.ne[3]), List.of(a, b));
    }

    /** ggml_mul_mat_id(as, b, ids): experts {@code as}, input b, selected expert ids. */
    public Tensor mulMatId(Tensor as, Tensor b, Tensor ids) {
        return make(Op.MUL_MAT_ID, GgmlType.F32, shape(as.ne[1], ids.ne[0], b.ne[2], 1), List.of(as, b, ids));
    }

    private Tensor dup(Op op, Tensor a, Tensor... more) {
        List<Tensor> src = new ArrayList<>();
        src.add(a);
        for (Tensor t : more) {
            if (t != null) {
                src.add(t);
            }
        }
        return make(op, a.type, a.ne.clone(), src);
    }

    public Tensor add(Tensor a, Tensor b) {
        return dup(Op.ADD, a, b);
    }

    /** ggml_add_id(a, b, ids): a plus the rows of b that ids select (per-expert biases); a's shape. */
    public Tensor addId(Tensor a, Tensor b, Tensor ids) {
        return make(Op.ADD_ID, a.type, a.ne.clone(), List.of(a, b, ids));
    }

    public Tensor mul(Tensor a, Tensor b) {
        return dup(Op.MUL, a, b);
    }

    public Tensor div(Tensor a, Tensor b) {
        return dup(Op.DIV, a, b);
    }

    public Tensor scale(Tensor a) {
        return dup(Op.SCALE, a);
    }

    public Tensor unary(Tensor a) {
        return dup(Op.UNARY, a);
    }

    public Tensor clamp(Tensor a) {
        return dup(Op.CLAMP, a);
    }

    public Tensor sqr(Tensor a) {
        return dup(Op.SQR, a);
    }

    public Tensor sqrt(Tensor a) {
        return dup(Op.SQRT, a);
    }

    public Tensor rmsNorm(Tensor a) {
        return dup(Op.RMS_NORM, a);
    }

    public Tensor norm(Tensor a) {
        return dup(Op.NORM, a);
    }

    /** ggml_rope_ext(a, positions, factors): factors may be null. */
    public Tensor rope(Tensor a, Tensor pos, Tensor factors) {
        return dup(Op.ROPE, a, pos, factors);
    }

    /** ggml_soft_max_ext(a, mask) plus ggml_soft_max_add_sinks when sinks is not null. */
    public Tensor softMax(Tensor a, Tensor mask, Tensor sinks) {
        List<Tensor> src = new ArrayList<>(Arrays.asList(a, mask, sinks));
        src.removeIf(t -> t == null);
        if (mask == null && sinks != null) {
            throw new IllegalArgumentException("sinks need a mask in this model of ggml");
        }
        return make(Op.SOFT_MAX, a.type, a.ne.clone(), src);
    }

    /** ggml_flash_attn_ext(q, k, v, mask) (+ sinks): [v.ne0, q.ne2, q.ne1, q.ne3]. */
    public Tensor flashAttn(Tensor q, Tensor k, Tensor v, Tensor mask, Tensor sinks) {
        List<Tensor> src = new ArrayList<>(Arrays.asList(q, k, v, mask));
        if (sinks != null) {
            src.add(sinks);
        }
        return make(Op.FLASH_ATTN_EXT, GgmlType.F32, shape(v.ne[0], q.ne[2], q.ne[1], q.ne[3]), src);
    }

    /** A split gated unit (swiglu_split, geglu_split, swiglu_oai): the shape of a. */
    public Tensor gluSplit(Tensor a, Tensor b) {
        return make(Op.GLU, a.type, a.ne.clone(), List.of(a, b));
    }

    /** A fused gated unit over one tensor (ggml_swiglu, ggml_geglu): half of a's first dimension. */
    public Tensor glu(Tensor a) {
        return make(Op.GLU, a.type, shape(a.ne[0] / 2, a.ne[1], a.ne[2], a.ne[3]), List.of(a));
    }

    public Tensor cont(Tensor a) {
        return make(Op.CONT, a.type, a.ne.clone(), List.of(a));
    }

    public Tensor cont(Tensor a, long... ne) {
        return make(Op.CONT, a.type, shape(ne), List.of(a));
    }

    /** ggml_cast: a copy in another type (the result is its own second source, as in ggml). */
    public Tensor cast(Tensor a, GgmlType type) {
        List<Tensor> src = new ArrayList<>(2);
        Tensor t = make(Op.CPY, type, a.ne.clone(), src);
        src.add(a);
        src.add(t);
        return t;
    }

    public Tensor reshape(Tensor a, long... ne) {
        long[] s = shape(ne);
        return viewOf(Op.RESHAPE, a, s, Tensor.contiguousStrides(a.type, s), 0, List.of(a));
    }

    /** ggml_view_1d..4d: ne and the strides nb1..nb3 (nb0 is the type size), offset in bytes. */
    public Tensor view(Tensor a, long[] ne, long[] nb123, long offset) {
        long[] s = shape(ne);
        long[] nb = new long[4];
        nb[0] = a.type.typeSize();
        for (int i = 1; i < 4; i++) {
            nb[i] = i - 1 < nb123.length ? nb123[i - 1] : nb[i - 1] * s[i - 1];
        }
        return viewOf(Op.VIEW, a, s, nb, offset, List.of(a));
    }

    /** ggml_view_tensor: a view with a's shape and strides. */
    public Tensor viewTensor(Tensor a) {
        return viewOf(Op.VIEW, a, a.ne.clone(), a.nb.clone(), 0, List.of(a));
    }

    public Tensor permute(Tensor a, int ax0, int ax1, int ax2, int ax3) {
        int[] axes = {ax0, ax1, ax2, ax3};
        long[] ne = new long[4];
        long[] nb = new long[4];
        for (int i = 0; i < 4; i++) {
            ne[axes[i]] = a.ne[i];
            nb[axes[i]] = a.nb[i];
        }
        return viewOf(Op.PERMUTE, a, ne, nb, 0, List.of(a));
    }

    public Tensor transpose(Tensor a) {
        Tensor p = permute(a, 1, 0, 2, 3);
        return new Tensor(p.name, Op.TRANSPOSE, p.type, p.ne, p.nb, p.src, p.viewSrc, p.viewOffset, false);
    }

    /** ggml_set_rows(dst, rows, idx): a view of dst (the KV cache), never compute memory. */
    public Tensor setRows(Tensor dst, Tensor rows, Tensor idx) {
        return viewOf(Op.SET_ROWS, dst, dst.ne.clone(), dst.nb.clone(), 0, List.of(rows, idx, dst));
    }

    /** ggml_argsort_top_k / ggml_top_k: I32 indices [k, rows]. */
    public Tensor topK(Tensor a, long k) {
        return make(Op.TOP_K, GgmlType.I32, shape(k, a.ne[1], a.ne[2], a.ne[3]), List.of(a));
    }

    public Tensor argsort(Tensor a) {
        return make(Op.ARGSORT, GgmlType.I32, a.ne.clone(), List.of(a));
    }

    public Tensor sumRows(Tensor a) {
        return make(Op.SUM_ROWS, a.type, shape(1, a.ne[1], a.ne[2], a.ne[3]), List.of(a));
    }

    public Tensor concat(Tensor a, Tensor b, int dim) {
        long[] ne = a.ne.clone();
        ne[dim] += b.ne[dim];
        return make(Op.CONCAT, a.type, ne, List.of(a, b));
    }

    public Tensor repeat(Tensor a, Tensor like) {
        return make(Op.REPEAT, a.type, like.ne.clone(), List.of(a));
    }

    public Tensor pad(Tensor a, long p0, long p1, long p2, long p3) {
        return make(Op.PAD, a.type, shape(a.ne[0] + p0, a.ne[1] + p1, a.ne[2] + p2, a.ne[3] + p3), List.of(a));
    }

    /** A generic operation with a new contiguous F32 result of the given shape. */
    public Tensor op(Op op, GgmlType type, long[] ne, Tensor... src) {
        return make(op, type, shape(ne), List.of(src));
    }

    /** ggml_build_forward_expand: appends t and every source not yet in the graph, sources first. */
    public void expand(Tensor t) {
        visit(t);
    }

    private void visit(Tensor t) {
        if (t.visited) {
            return;
        }
        t.visited = true;
        for (Tensor s : t.src) {
            visit(s);
        }
        if (t.op == Op.NONE) {
            leafs.add(t);
        } else {
            nodes.add(t);
        }
    }
}
