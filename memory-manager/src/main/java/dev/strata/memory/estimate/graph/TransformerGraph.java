package dev.strata.memory.estimate.graph;

import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.shape.AttentionLayer;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.WeightTensor;

/**
 * llama.cpp's graph of one model for one reserved micro-batch, built the way its model code builds it
 * (src/models/*.cpp and llm_graph_context's helpers), so that {@link ComputeAllocator} sees the same
 * tensors in the same order.
 *
 * <pre>{@code
 * Graph g = TransformerGraph.build(shape, new GraphParams(512, 4096, 0, true, GgmlType.F16, GgmlType.F16));
 * long bytes = ComputeAllocator.peakBytes(g, 32);
 * }</pre>
 */
public final class TransformerGraph {
    final ModelShape shape;
    final GraphParams p;
    final Graph g = new Graph();
    final long tokens;
    Tensor inpPos;
    Tensor kIdxs;
    Tensor vIdxs;
    Tensor mask;
    Tensor kIdxsSwa;
    Tensor vIdxsSwa;
    Tensor maskSwa;
    Tensor outIds;
    Tensor kRot;
    Tensor vRot;
    /** The layer being built: flash attention nodes carry it, for llama.cpp's check of where they run. */
    int layer = -1;

    /** The shape's tensors by name: ModelShape.tensor searches a list, and a graph asks thousands of times. */
    private final java.util.Map<String, WeightTensor> byName = new java.util.HashMap<>();

    TransformerGraph(ModelShape shape, GraphParams p) {
        for (WeightTensor w : shape.tensors()) {
            byName.put(w.info().name(), w);
        }
        this.shape = shape;
        this.p = p;
        this.tokens = p.tokens();
    }

    /** The graph of this shape's architecture; empty (no compute estimate) for architectures not modelled. */
    public static boolean supports(ModelShape shape) {
        if (shape.expertCount() > 0 && !MoeGraph.SUPPORTED) {
            return false;
        }
        return switch (shape.architecture()) {
            case "llama", "qwen2", "qwen3", "qwen3moe", "mistral", "gemma2", "gemma3", "phi3", "bert", "gpt-oss" -> true;
            case "deepseek2" -> deepseek2Supported(shape);
            default -> false;
        };
    }

    public static Graph build(ModelShape shape, GraphParams params) {
        TransformerGraph t = new TransformerGraph(shape, params);
        switch (shape.architecture()) {
            case "llama", "qwen2", "qwen3", "qwen3moe", "mistral" -> t.llama();
            case "gemma2", "gemma3" -> t.gemma();
            case "phi3" -> t.phi3();
            case "bert" -> t.bert();
            case "gpt-oss" -> t.gptOss();
            case "deepseek2" -> t.deepseek2();
            default -> throw new IllegalArgumentException("no graph model for " + shape.architecture());
        }
        return t.g;
    }

    // tensors of the model

    Tensor weight(String name) {
        WeightTensor w = tensor(name).orElse(null);
        if (w == null) {
            return null;
        }
        GgufTensorInfo info = w.info();
        return g.external(deviceOf(w), true, info.type(), info.dimsArray());
    }

    /** Where llama.cpp loads a weight: an override, else the input layer on the CPU, the output and layers where assigned. */
    String deviceOf(WeightTensor w) {
        LayerAssignment a = p.assignment();
        if (a == null) {
            return LayerAssignment.CPU;
        }
        String override = a.overrideFor(w.info().name());
        if (override != null) {
            return override;
        }
        return switch (w.placement()) {
            case INPUT -> LayerAssignment.CPU;
            case OUTPUT -> a.outputDevice();
            case LAYER -> w.layer() >= 0 && w.layer() < a.layerCount() ? a.deviceOf(w.layer()) : LayerAssignment.CPU;
        };
    }

    /** The KV cache of a layer lives on the layer's device (offload_kqv). */
    String cacheDevice(int il) {
        LayerAssignment a = p.assignment();
        return a == null ? LayerAssignment.CPU : a.deviceOf(il);
    }

    /** The final RMS norm (a graph output: llama.cpp's t_embd, never freed) and the LM head over it. */
    Tensor head(Tensor x) {
        Tensor cur = rmsNorm(x, weight("output_norm.weight"));
        cur.output = true;
        return g.mulMat(outputWeight(), cur);
    }

    /** The logits: a graph output, and the end of the graph (but for the backend samplers' nodes). */
    void expandLogits(Tensor logits) {
        logits.output = true;
        g.expand(logits);
        if (p.samplers() > 0) {
            sampling(logits);
        }
    }

    /**
     * llm_graph_context::build_sampling with the bridge's greedy sampler on every sequence: the logits padded
     * with a dummy row (a copy, so that the one-output graph is the same whichever samplers are active), one
     * argmax over all its rows that the samplers share, and per sampler a view of its row's token. Reserved
     * graphs give each sampler a row.
     */
    void sampling(Tensor logits) {
        Tensor padded = g.pad(logits, 0, 1, 0, 0);
        Tensor argmax = g.op(Op.ARGMAX, GgmlType.I32, new long[] {padded.ne[1]}, padded);
        for (int s = 0; s < p.samplers(); s++) {
            long row = Math.min(s, logits.ne[1] - 1); // a sampler without an output in the micro-batch reads row 0
            g.expand(g.view(argmax, new long[] {1}, new long[] {}, row * argmax.nb[0]));
        }
    }

    /** The LM head: output.weight, or with tied embeddings the copy of token_embd llama.cpp makes for the output layer. */
    Tensor outputWeight() {
        Tensor out = weight("output.weight");
        if (out != null) {
            return out;
        }
        WeightTensor w = tensor("token_embd.weight").orElseThrow();
        LayerAssignment a = p.assignment();
        return g.external(a == null ? LayerAssignment.CPU : a.outputDevice(), true, w.info().type(), w.info().dimsArray());
    }

    java.util.Optional<WeightTensor> tensor(String name) {
        return java.util.Optional.ofNullable(byName.get(name));
    }

    Tensor layerWeight(int il, String name) {
        return weight("blk." + il + "." + name);
    }

    long dim(String name, int i) {
        return tensor(name).map(w -> w.info().nDims() > i ? w.info().dim(i) : 1L).orElse(0L);
    }

    long embd() {
        return dim("token_embd.weight", 0);
    }

    // inputs, as llm_graph_context builds them

    Tensor inputEmbeddings() {
        Tensor tokensIn = g.input(GgmlType.I32, tokens);
        Tensor embdIn = g.input(GgmlType.F32, embd(), tokens);
        Tensor rows = g.getRows(weight("token_embd.weight"), tokensIn);
        // ggml_build_forward_select: both alternatives join the graph, the token path first.
        g.expand(rows);
        g.expand(embdIn);
        return rows;
    }

    Tensor positions() {
        return g.input(GgmlType.I32, tokens);
    }

    /** build_attn_inp_kv (and the iswa variant: the full cache's inputs first, then the window's). */
    void attentionInputs(boolean swa) {
        long vWidth = shape.attention().maxValueWidth();
        kIdxs = g.input(GgmlType.I64, tokens);
        vIdxs = g.input(GgmlType.I64, p.flash() ? tokens : tokens * vWidth);
        mask = g.input(p.flash() ? GgmlType.F16 : GgmlType.F32, p.kvCells(), tokens, 1, 1);
        if (swa) {
            kIdxsSwa = g.input(GgmlType.I64, tokens);
            vIdxsSwa = g.input(GgmlType.I64, p.flash() ? tokens : tokens * vWidth);
            maskSwa = g.input(p.flash() ? GgmlType.F16 : GgmlType.F32, p.swaCells(), tokens, 1, 1);
        } else {
            rotationInputs();
        }
    }

    /**
     * build_input_k_rot / v_rot of a plain KV cache: with a quantized cache and heads a multiple of 64
     * wide, llama.cpp rotates Q, K (and V) by a Hadamard matrix before storing them, so the
     * quantization error spreads evenly. K's matrix is the largest power of two dividing the head.
     */
    private void rotationInputs() {
        long headK = uniformHead(true);
        long headV = uniformHead(false);
        if (p.typeK().blockSize() > 1 && p.typeK() != GgmlType.BF16 && headK > 0 && headK % 64 == 0) {
            long n = 64;
            do {
                n *= 2;
            } while (headK % n == 0);
            n /= 2;
            kRot = g.input(GgmlType.F32, n, n);
        }
        if (p.typeV().blockSize() > 1 && p.typeV() != GgmlType.BF16 && headV > 0 && headV % 64 == 0) {
            vRot = g.input(GgmlType.F32, 64, 64);
        }
    }

    /** The head size every cached layer shares (n_embd_head_k_all), or -1 when they differ. */
    private long uniformHead(boolean key) {
        long head = 0;
        for (AttentionLayer a : shape.attention().layers()) {
            if (!a.hasKv()) {
                continue;
            }
            long h = key ? a.headDimK() : a.headDimV();
            if (head == 0) {
                head = h;
            } else if (head != h) {
                return -1;
            }
        }
        return head;
    }

    /** llama_mul_mat_hadamard: blocks of {@code rot}'s width multiplied by it, the shape kept. */
    Tensor hadamard(Tensor cur, Tensor rot) {
        long n = rot.ne[0];
        Tensor res = cur.isContiguous() ? g.reshape(cur, n, cur.elements() / n) : g.cont(cur, n, cur.elements() / n);
        res = g.mulMat(rot, res);
        return g.reshape(res, cur.ne[0], cur.ne[1], cur.ne[2], cur.ne[3]);
    }

    /** What a decoder's graph starts with, in llama.cpp's order: embeddings, positions, attention inputs, output ids. */
    Tensor decoderInputs(boolean swa) {
        Tensor inpL = inputEmbeddings();
        inpPos = positions();
        attentionInputs(swa);
        outIds = outputIds();
        return inpL;
    }

    Tensor outputIds() {
        return g.input(GgmlType.I32, p.outputs());
    }

    // building blocks

    Tensor rmsNorm(Tensor x, Tensor w) {
        Tensor cur = g.rmsNorm(x);
        return w == null ? cur : g.mul(cur, w);
    }

    Tensor norm(Tensor x, Tensor w, Tensor b) {
        Tensor cur = g.norm(x);
        if (w != null) {
            cur = g.mul(cur, w);
        }
        return b == null ? cur : g.add(cur, b);
    }

    Tensor linear(Tensor w, Tensor x, Tensor bias) {
        Tensor cur = g.mulMat(w, x);
        return bias == null ? cur : g.add(cur, bias);
    }

    /** build_qkv with separate projections, reshaped to heads. */
    Tensor[] qkv(int il, Tensor cur, long headQ, long nHead, long headK, long nHeadKv, long headV) {
        Tensor q = linear(layerWeight(il, "attn_q.weight"), cur, layerWeight(il, "attn_q.bias"));
        Tensor k = linear(layerWeight(il, "attn_k.weight"), cur, layerWeight(il, "attn_k.bias"));
        Tensor v = linear(layerWeight(il, "attn_v.weight"), cur, layerWeight(il, "attn_v.bias"));
        return new Tensor[] {
                g.reshape(q, headQ, nHead, tokens), g.reshape(k, headK, nHeadKv, tokens), g.reshape(v, headV, nHeadKv, tokens)};
    }

    /**
     * build_qkv: a fused {@code attn_qkv} is one matmul that Q, K and V are strided views of (the views
     * keep it alive until the last of them is used); separate projections otherwise.
     */
    Tensor[] projectQkv(int il, Tensor cur, long head, long nHead, long nHeadKv) {
        Tensor wqkv = layerWeight(il, "attn_qkv.weight");
        if (wqkv == null) {
            return qkv(il, cur, head, nHead, head, nHeadKv, head);
        }
        Tensor qkv = linear(wqkv, cur, layerWeight(il, "attn_qkv.bias"));
        long row = qkv.type.byteSize(head);
        long[] ne = {head, nHead, tokens};
        long[] neKv = {head, nHeadKv, tokens};
        long[] nb = {row, qkv.nb[1]};
        return new Tensor[] {
                g.view(qkv, ne, nb, 0),
                g.view(qkv, neKv, nb, qkv.type.byteSize(head * nHead)),
                g.view(qkv, neKv, nb, qkv.type.byteSize(head * (nHead + nHeadKv)))};
    }

    /** attn_norm, then Q, K and V projected and split into this layer's heads (separate wq/wk/wv). */
    Tensor[] normedQkv(int il, Tensor x) {
        AttentionLayer a = shape.attention().layers().get(il);
        long nHead = dim("blk." + il + ".attn_q.weight", 1) / a.headDimK();
        Tensor cur = rmsNorm(x, layerWeight(il, "attn_norm.weight"));
        return qkv(il, cur, a.headDimK(), nHead, a.headDimK(), a.headCountKv(), a.headDimV());
    }

    /** build_attn with a KV cache: store K and V, attend over the cache, project out. */
    Tensor attention(int il, Tensor wo, Tensor woBias, Tensor q, Tensor k, Tensor v, Tensor sinks, boolean softcap) {
        AttentionLayer layer = shape.attention().layers().get(il);
        boolean swa = layer.slidingWindow() && maskSwa != null;
        Tensor kIdx = swa ? kIdxsSwa : kIdxs;
        Tensor vIdx = swa ? vIdxsSwa : vIdxs;
        Tensor kqMask = swa ? maskSwa : mask;
        long cells = swa ? p.swaCells() : p.kvCells();
        long headK = layer.headDimK();
        long headV = layer.headDimV();
        long nHeadKv = layer.headCountKv();
        long kGqa = headK * nHeadKv;
        long vGqa = headV * nHeadKv;
        long vWidth = shape.attention().maxValueWidth();
        Tensor kCache = g.external(cacheDevice(il), false, p.typeK(), kGqa, cells);
        Tensor vCache = g.external(cacheDevice(il), false, p.typeV(), p.flash() ? vGqa : vWidth, cells);

        if (kRot != null && !swa) {
            q = hadamard(q, kRot);
            k = hadamard(k, kRot);
        }
        if (vRot != null && !swa) {
            v = hadamard(v, vRot);
        }
        if (maskSwa != null) {
            // the iswa overload of build_attn expands K before V (the plain one V first, for rope fusion)
            g.expand(q);
            g.expand(k);
            g.expand(v);
        } else {
            g.expand(q);
            g.expand(v);
            g.expand(k);
        }
        // cpy_k
        Tensor kCur = g.view(k, new long[] {kGqa, tokens}, new long[] {k.nb[2]}, 0);
        g.expand(g.setRows(kCache, kCur, kIdx));
        // cpy_v
        if (p.flash()) {
            Tensor vCur = g.view(v, new long[] {vGqa, tokens}, new long[] {v.nb[2]}, 0);
            g.expand(g.setRows(vCache, vCur, vIdx));
        } else {
            Tensor vCur = v.nb[2] == v.type.byteSize(vGqa) ? g.reshape(v, vGqa, tokens) : g.cont(v, vGqa, tokens);
            if (vGqa < vWidth) {
                vCur = g.pad(vCur, vWidth - vGqa, 0, 0, 0);
            }
            Tensor vView = g.reshape(vCache, 1, vCache.elements());
            vCur = g.reshape(vCur, 1, vCur.elements());
            g.expand(g.setRows(vView, vCur, vIdx));
        }
        Tensor kv = g.view(kCache, new long[] {headK, nHeadKv, cells, 1},
                new long[] {p.typeK().byteSize(headK), p.typeK().byteSize(kGqa), p.typeK().byteSize(kGqa * cells)}, 0);
        Tensor vv;
        if (p.flash()) {
            vv = g.view(vCache, new long[] {headV, nHeadKv, cells, 1},
                    new long[] {p.typeV().byteSize(headV), p.typeV().byteSize(vCache.ne[0]),
                            p.typeV().byteSize(vCache.ne[0] * cells)}, 0);
        } else {
            vv = g.view(vCache, new long[] {cells, nHeadKv, headV, 1},
                    new long[] {p.typeV().byteSize(cells * headV), p.typeV().byteSize(cells),
                            p.typeV().byteSize(cells * vCache.ne[0])}, 0);
        }
        Tensor cur = attentionCore(q, kv, vv, kqMask, sinks, softcap);
        if (vRot != null && !swa) {
            cur = hadamard(cur, vRot);
        }
        return linear(wo, cur, woBias);
    }

    /** build_attn_mha. */
    Tensor attentionCore(Tensor q, Tensor k, Tensor v, Tensor kqMask, Tensor sinks, boolean softcap) {
        return attentionCore(q, k, v, kqMask, sinks, softcap, null);
    }

    /** build_attn_mha; vMla (MLA's attn_v_b) decompresses the attended latent back to the heads' V width. */
    Tensor attentionCore(Tensor q, Tensor k, Tensor v, Tensor kqMask, Tensor sinks, boolean softcap, Tensor vMla) {
        boolean vTrans = v.nb[1] > v.nb[2];
        q = g.view(q, new long[] {q.ne[0], q.ne[1], q.ne[2], 1}, new long[] {q.nb[1], q.nb[2], q.nb[3]}, 0);
        q = g.permute(q, 0, 2, 1, 3);
        k = g.permute(k, 0, 2, 1, 3);
        v = g.permute(v, 0, 2, 1, 3);
        Tensor cur;
        if (p.flash()) {
            if (vTrans) {
                v = g.transpose(v);
            }
            if (k.type == GgmlType.F32) {
                k = g.cast(k, GgmlType.F16);
            }
            if (v.type == GgmlType.F32) {
                v = g.cast(v, GgmlType.F16);
            }
            cur = g.flashAttn(q, k, v, kqMask, sinks);
            cur.layer = layer;
            if (vMla != null) {
                // matrix-matrix form: permute to n_tokens in dimension 1, multiply, permute back, cont
                cur = g.permute(cur, 0, 2, 1, 3);
                cur = g.mulMat(vMla, cur);
                cur = g.permute(cur, 0, 2, 1, 3);
                cur = g.cont(cur);
            }
            cur = g.reshape(cur, cur.ne[0] * cur.ne[1], cur.ne[2] * cur.ne[3]);
        } else {
            Tensor kq = g.mulMat(k, q);
            if (softcap) {
                kq = g.scale(kq);
                kq = g.unary(kq);
                kq = g.scale(kq);
            }
            kq = g.softMax(kq, kqMask, sinks);
            if (!vTrans) {
                v = g.cont(g.transpose(v));
            }
            Tensor kqv = g.mulMat(v, kq);
            if (vMla != null) {
                kqv = g.mulMat(vMla, kqv);
            }
            cur = g.permute(kqv, 0, 2, 1, 3);
            cur = g.cont(cur, cur.ne[0] * cur.ne[1], cur.ne[2] * cur.ne[3]);
        }
        g.expand(cur);
        return cur;
    }

    /** build_ffn with a parallel gate: up, gate, act(gate) * up, down. */
    Tensor feedForward(int il, Tensor cur) {
        return feedForward(il, cur, "");
    }

    /** build_ffn with a parallel gate over ffn_up/gate/down{suffix} ("_shexp": the shared experts). */
    Tensor feedForward(int il, Tensor cur, String suffix) {
        Tensor up = linear(layerWeight(il, "ffn_up" + suffix + ".weight"), cur, layerWeight(il, "ffn_up" + suffix + ".bias"));
        Tensor gate = linear(layerWeight(il, "ffn_gate" + suffix + ".weight"), cur,
                layerWeight(il, "ffn_gate" + suffix + ".bias"));
        Tensor act = g.gluSplit(gate, up);
        return linear(layerWeight(il, "ffn_down" + suffix + ".weight"), act, layerWeight(il, "ffn_down" + suffix + ".bias"));
    }

    // architectures

    /** src/models/llama.cpp (llama, mistral), qwen2.cpp, qwen3.cpp, qwen3moe.cpp: the same skeleton. */
    void llama() {
        boolean qkNorm = tensor("blk.0.attn_q_norm.weight").isPresent();
        Tensor inpL = decoderInputs(false);
        int n = shape.layerCount();
        for (int il = 0; il < n; il++) {
            layer = il;
            Tensor inpSA = inpL;
            Tensor[] qkv = normedQkv(il, inpL);
            Tensor q = qkv[0];
            Tensor k = qkv[1];
            if (qkNorm) {
                // qwen3: norms on each head before rope
                q = rmsNorm(q, layerWeight(il, "attn_q_norm.weight"));
                q = g.rope(q, inpPos, null);
                k = rmsNorm(k, layerWeight(il, "attn_k_norm.weight"));
                k = g.rope(k, inpPos, null);
            } else {
                q = g.rope(q, inpPos, null);
                k = g.rope(k, inpPos, null);
            }
            Tensor cur = attention(il, layerWeight(il, "attn_output.weight"), layerWeight(il, "attn_output.bias"), q, k,
                    qkv[2], null, false);
            if (il == n - 1) {
                cur = g.getRows(cur, outIds);
                inpSA = g.getRows(inpSA, outIds);
            }
            Tensor ffnInp = g.add(cur, inpSA);
            cur = rmsNorm(ffnInp, layerWeight(il, "ffn_norm.weight"));
            if (tensor("blk." + il + ".ffn_gate_inp.weight").isPresent()) {
                cur = MoeGraph.softmaxGated(this, il, cur);
            } else {
                cur = feedForward(il, cur);
            }
            inpL = g.add(cur, ffnInp);
        }
        expandLogits(head(inpL));
    }

    /**
     * src/models/gemma2.cpp and gemma3.cpp: scaled embeddings, a norm after attention and after the
     * feed-forward as well as before, GELU-gated FFN, Q scaled before attention, a tied LM head; gemma2
     * soft-caps the attention scores and the logits, gemma3 normalizes each head of Q and K instead.
     * Sliding-window layers use the second cache of llama_kv_cache_iswa; a gemma3 without a window has
     * the plain cache.
     */
    void gemma() {
        boolean gemma2 = shape.architecture().equals("gemma2");
        boolean iswa = shape.attention().slidingWindow() > 0;
        Tensor inpL = g.scale(inputEmbeddings());
        inpPos = positions();
        attentionInputs(iswa);
        outIds = outputIds();
        int n = shape.layerCount();
        for (int il = 0; il < n; il++) {
            layer = il;
            AttentionLayer a = shape.attention().layers().get(il);
            long nHead = dim("blk." + il + ".attn_q.weight", 1) / a.headDimK();
            Tensor cur = rmsNorm(inpL, layerWeight(il, "attn_norm.weight"));
            Tensor[] qkv = qkv(il, cur, a.headDimK(), nHead, a.headDimK(), a.headCountKv(), a.headDimV());
            Tensor q = qkv[0];
            Tensor k = qkv[1];
            if (!gemma2) {
                q = rmsNorm(q, layerWeight(il, "attn_q_norm.weight"));
            }
            q = g.rope(q, inpPos, null);
            if (!gemma2) {
                k = rmsNorm(k, layerWeight(il, "attn_k_norm.weight"));
            }
            k = g.rope(k, inpPos, null);
            q = g.scale(q);
            cur = attention(il, layerWeight(il, "attn_output.weight"), null, q, k, qkv[2], null, gemma2);
            if (il == n - 1) {
                cur = g.getRows(cur, outIds);
                inpL = g.getRows(inpL, outIds);
            }
            cur = rmsNorm(cur, layerWeight(il, "post_attention_norm.weight"));
            Tensor saOut = g.add(cur, inpL);
            cur = rmsNorm(saOut, layerWeight(il, "ffn_norm.weight"));
            cur = feedForward(il, cur);
            cur = rmsNorm(cur, layerWeight(il, "post_ffw_norm.weight"));
            inpL = g.add(cur, saOut);
        }
        Tensor logits = head(inpL);
        if (gemma2) {
            // gemma3's optional final soft-capping (not in the shape) works in place: no memory of its own
            logits = g.scale(g.unary(g.scale(logits)));
        }
        expandLogits(logits);
    }

    /**
     * src/models/phi3.cpp: llama's skeleton with fused QKV and gate+up matrices, Q scaled before
     * attention, and the residual as the first operand of the FFN's add (so the sum takes its memory).
     * Its sliding window is switched off by llama.cpp ("Phi SWA is currently disabled"): one full cache.
     */
    void phi3() {
        Tensor inpL = decoderInputs(false);
        Tensor ropeFactors = weight("rope_factors_long.weight");
        int n = shape.layerCount();
        for (int il = 0; il < n; il++) {
            layer = il;
            AttentionLayer a = shape.attention().layers().get(il);
            long head = a.headDimK();
            long nHead = dim("blk." + il + ".attn_output.weight", 0) / head;
            Tensor residual = inpL;
            Tensor cur = rmsNorm(inpL, layerWeight(il, "attn_norm.weight"));
            Tensor[] qkv = projectQkv(il, cur, head, nHead, a.headCountKv());
            Tensor q = g.rope(qkv[0], inpPos, ropeFactors);
            Tensor k = g.rope(qkv[1], inpPos, ropeFactors);
            q = g.scale(q);
            cur = attention(il, layerWeight(il, "attn_output.weight"), layerWeight(il, "attn_output.bias"), q, k, qkv[2],
                    null, false);
            if (il == n - 1) {
                cur = g.getRows(cur, outIds);
                residual = g.getRows(residual, outIds);
            }
            cur = g.add(cur, residual);
            residual = cur;
            cur = rmsNorm(cur, layerWeight(il, "ffn_norm.weight"));
            if (tensor("blk." + il + ".ffn_gate_inp.weight").isPresent()) {
                cur = MoeGraph.softmaxGated(this, il, cur);
            } else {
                // LLM_FFN_SWIGLU over the fused up: one [2 n_ff] matmul, its halves gated into [n_ff]
                cur = g.mulMat(layerWeight(il, "ffn_up.weight"), cur);
                cur = g.glu(cur);
                cur = g.mulMat(layerWeight(il, "ffn_down.weight"), cur);
            }
            inpL = g.add(residual, cur);
        }
        expandLogits(head(inpL));
    }

    /**
     * src/models/bert.cpp: an encoder without a KV cache. Attention runs over the micro-batch itself
     * (build_attn_inp_no_cache: an [n_tokens, n_tokens] mask, K and V straight from the projections),
     * LayerNorm with biases after each block, a GELU FFN, then llm_graph_context::build_pooling.
     */
    void bert() {
        inpPos = positions();
        Tensor inpL = inputEmbeddings();
        Tensor typeEmbd = weight("token_types.weight");
        if (typeEmbd != null) {
            // token types are all 0: row 0 of the table, broadcast over the tokens
            inpL = g.add(inpL, g.view(typeEmbd, new long[] {embd()}, new long[0], 0));
        }
        inpL = g.add(g.getRows(weight("position_embd.weight"), inpPos), inpL);
        inpL = norm(inpL, weight("token_embd_norm.weight"), weight("token_embd_norm.bias"));
        mask = g.input(p.flash() ? GgmlType.F16 : GgmlType.F32, tokens, tokens, 1, 1);
        outIds = outputIds();
        int n = shape.layerCount();
        for (int il = 0; il < n; il++) {
            layer = il;
            AttentionLayer a = shape.attention().layers().get(il);
            long head = a.headDimK();
            long nHead = dim("blk." + il + ".attn_output.weight", 0) / head;
            Tensor[] qkv = projectQkv(il, inpL, head, nHead, a.headCountKv());
            // build_attn without a cache adds Q, K, V in this order
            g.expand(qkv[0]);
            g.expand(qkv[1]);
            g.expand(qkv[2]);
            Tensor cur = attentionCore(qkv[0], qkv[1], qkv[2], mask, null, false);
            cur = linear(layerWeight(il, "attn_output.weight"), cur, layerWeight(il, "attn_output.bias"));
            if (il == n - 1) {
                cur = g.getRows(cur, outIds);
                inpL = g.getRows(inpL, outIds);
            }
            cur = g.add(cur, inpL);
            cur = norm(cur, layerWeight(il, "attn_output_norm.weight"), layerWeight(il, "attn_output_norm.bias"));
            Tensor ffnInp = cur;
            cur = linear(layerWeight(il, "ffn_up.weight"), cur, layerWeight(il, "ffn_up.bias"));
            cur = g.unary(cur);
            cur = linear(layerWeight(il, "ffn_down.weight"), cur, layerWeight(il, "ffn_down.bias"));
            cur = g.add(cur, ffnInp);
            inpL = norm(cur, layerWeight(il, "layer_output_norm.weight"), layerWeight(il, "layer_output_norm.bias"));
        }
        inpL.output = true;
        g.expand(inpL);
        pooling(inpL);
    }

    /** llm_graph_context::build_pooling: the pooled rows, one per sequence, join the outputs. */
    void pooling(Tensor embd) {
        Tensor pooled;
        switch (p.pooling()) {
            case GraphParams.POOLING_MEAN -> {
                Tensor mean = g.input(GgmlType.F32, tokens, p.sequences());
                pooled = g.mulMat(g.cont(g.transpose(embd)), mean);
            }
            case GraphParams.POOLING_CLS, GraphParams.POOLING_LAST ->
                    pooled = g.getRows(embd, g.input(GgmlType.I32, p.sequences()));
            case GraphParams.POOLING_RANK -> {
                pooled = g.getRows(embd, g.input(GgmlType.I32, p.sequences()));
                Tensor cls = weight("cls.weight");
                if (cls != null) {
                    pooled = g.unary(linear(cls, pooled, weight("cls.bias")));
                }
                Tensor clsOut = weight("cls.output.weight");
                if (clsOut != null) {
                    pooled = linear(clsOut, pooled, weight("cls.output.bias"));
                }
            }
            default -> {
                return;
            }
        }
        pooled.output = true;
        g.expand(pooled);
    }

    /** src/models/openai-moe.cpp (gpt-oss): iswa cache, sinks, post-attention norm, biased experts. */
    void gptOss() {
        Tensor inpL = decoderInputs(true);
        int n = shape.layerCount();
        for (int il = 0; il < n; il++) {
            layer = il;
            Tensor inpSA = inpL;
            Tensor[] qkv = normedQkv(il, inpL);
            Tensor q = g.rope(qkv[0], inpPos, null);
            Tensor k = g.rope(qkv[1], inpPos, null);
            Tensor cur = attention(il, layerWeight(il, "attn_output.weight"), layerWeight(il, "attn_output.bias"), q, k, qkv[2],
                    layerWeight(il, "attn_sinks.weight"), false);
            // embeddings_nextn_masked is off: the output rows are taken after the last layer
            Tensor ffnInp = g.add(cur, inpSA);
            cur = rmsNorm(ffnInp, layerWeight(il, "post_attention_norm.weight"));
            cur = MoeGraph.softmaxWeightBiased(this, il, cur);
            inpL = g.add(cur, ffnInp);
        }
        // res->t_h_nextn: the last layer's output is a graph output (kept, never reused)
        inpL.output = true;
        expandLogits(head(g.getRows(inpL, outIds)));
    }

    /**
     * What {@link #deepseek2()} models: MLA with the absorption (attn_k_b/attn_v_b, K-only cache) and the
     * routed experts of V2 / V2-Lite (softmax gating, no selection bias). The shape does not carry
     * expert_weights_norm/scale or expert groups; the graph assumes V2-Lite's (no norm, scale 1, one
     * group), so files with a selection bias (V3's sigmoid routing, groups) are left unmodelled.
     */
    static boolean deepseek2Supported(ModelShape shape) {
        int n = shape.computeLayerCount();
        if (!shape.attention().mla() || n == 0 || shape.tensor("blk.0.attn_k_b.weight").isEmpty()) {
            return false;
        }
        for (int il = 0; il < n; il++) {
            if (shape.tensor("blk." + il + ".exp_probs_b.bias").isPresent()
                    || shape.tensor("blk." + il + ".ffn_gate_up_exps.weight").isPresent()) {
                return false;
            }
        }
        return true;
    }

    /** build_attn with the K-only cache of MLA (llm_graph_input_attn_k): the latent is K and, viewed, V. */
    Tensor attentionMla(int il, Tensor wo, Tensor q, Tensor k, Tensor v, Tensor vMla) {
        AttentionLayer layer = shape.attention().layers().get(il);
        long cells = p.kvCells();
        long headK = layer.headDimK();
        long nHeadKv = layer.headCountKv();
        long kGqa = headK * nHeadKv;
        Tensor kCache = g.external(cacheDevice(il), false, p.typeK(), kGqa, cells);

        g.expand(q);
        g.expand(v);
        g.expand(k);
        Tensor kCur = g.view(k, new long[] {kGqa, tokens}, new long[] {k.nb[2]}, 0);
        g.expand(g.setRows(kCache, kCur, kIdxs));
        Tensor kv = g.view(kCache, new long[] {headK, nHeadKv, cells, 1},
                new long[] {p.typeK().byteSize(headK), p.typeK().byteSize(kGqa), p.typeK().byteSize(kGqa * cells)}, 0);
        Tensor vv = g.view(kv, new long[] {v.ne[0], kv.ne[1], kv.ne[2], kv.ne[3]},
                new long[] {kv.nb[1], kv.nb[2], kv.nb[3]}, 0);
        Tensor cur = attentionCore(q, kv, vv, mask, null, false, vMla);
        return linear(wo, cur, null);
    }

    /** src/models/deepseek2.cpp with MLA (is_mla): latent attention as MQA, routed plus shared experts. */
    void deepseek2() {
        Tensor inpL = inputEmbeddings();
        inpPos = positions();
        // build_attn_inp_k: K indices and the mask; no V indices, MLA has no V cache
        kIdxs = g.input(GgmlType.I64, tokens);
        mask = g.input(p.flash() ? GgmlType.F16 : GgmlType.F32, p.kvCells(), tokens, 1, 1);
        outIds = outputIds();
        int n = shape.computeLayerCount();
        for (int il = 0; il < n; il++) {
            layer = il;
            String blk = "blk." + il + ".";
            long nope = dim(blk + "attn_k_b.weight", 0);
            long rank = dim(blk + "attn_k_b.weight", 1);
            long nHead = dim(blk + "attn_k_b.weight", 2);
            long rope = dim(blk + "attn_kv_a_mqa.weight", 1) - rank;
            long headK = nope + rope;
            Tensor inpSA = inpL;
            Tensor cur = rmsNorm(inpL, layerWeight(il, "attn_norm.weight"));
            Tensor q;
            Tensor wq = layerWeight(il, "attn_q.weight");
            if (wq == null) {
                q = g.mulMat(layerWeight(il, "attn_q_a.weight"), cur);
                q = rmsNorm(q, layerWeight(il, "attn_q_a_norm.weight"));
                q = g.mulMat(layerWeight(il, "attn_q_b.weight"), q);
            } else {
                q = g.mulMat(wq, cur);
            }
            q = g.reshape(q, headK, nHead, tokens);
            Tensor kvPe = g.mulMat(layerWeight(il, "attn_kv_a_mqa.weight"), cur);
            Tensor kvCmpr = g.view(kvPe, new long[] {rank, tokens}, new long[] {kvPe.nb[1]}, 0);
            Tensor kPe = g.view(kvPe, new long[] {rope, 1, tokens}, new long[] {kvPe.nb[1], kvPe.nb[1]},
                    kvPe.type.byteSize(rank));
            kPe = g.rope(kPe, inpPos, null);
            kvCmpr = rmsNorm(kvCmpr, layerWeight(il, "attn_kv_a_norm.weight"));
            Tensor qNope = g.view(q, new long[] {nope, nHead, tokens}, new long[] {q.nb[1], q.nb[2]}, 0);
            Tensor qPe = g.view(q, new long[] {rope, nHead, tokens}, new long[] {q.nb[1], q.nb[2]}, q.type.byteSize(nope));
            qPe = g.rope(qPe, inpPos, null);
            qNope = g.permute(qNope, 0, 2, 1, 3);
            Tensor qAbsorbed = g.mulMat(layerWeight(il, "attn_k_b.weight"), qNope);
            qAbsorbed = g.permute(qAbsorbed, 0, 2, 1, 3);
            Tensor qCur = g.concat(qAbsorbed, qPe, 0);
            kvCmpr = g.reshape(kvCmpr, rank, 1, tokens);
            Tensor kCur = g.concat(kvCmpr, kPe, 0);
            cur = attentionMla(il, layerWeight(il, "attn_output.weight"), qCur, kCur, kvCmpr,
                    layerWeight(il, "attn_v_b.weight"));
            if (il == n - 1) {
                cur = g.getRows(cur, outIds);
                inpSA = g.getRows(inpSA, outIds);
            }
            Tensor ffnInp = g.add(cur, inpSA);
            cur = rmsNorm(ffnInp, layerWeight(il, "ffn_norm.weight"));
            if (tensor(blk + "ffn_gate_inp.weight").isPresent()) {
                Tensor moeOut = MoeGraph.softmaxUnnormalised(this, il, cur);
                Tensor shared = feedForward(il, cur, "_shexp");
                cur = g.add(moeOut, shared);
            } else {
                cur = feedForward(il, cur);
            }
            inpL = g.add(cur, ffnInp);
        }
        expandLogits(head(inpL));
    }
}
