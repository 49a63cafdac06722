package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ggml_backend_sched's graph split replayed in Java, for the compute buffers of a model spread over
 * GPUs and the CPU: which backend runs each operation (where its weights are, large batches of CPU
 * weights offloaded to the first GPU, GPU assignments spread to neighbouring operations), where the
 * graph splits, and which tensors are copied into another backend's buffer at each split (the
 * copies live in that backend's compute buffer; the copied tensor stays alive in its own). The
 * resulting graph then goes through {@link ComputeAllocator} with one buffer per backend.
 *
 * <p>Mirrors {@code ggml_backend_sched_split_graph} of ggml 0.25.1 with one copy of the inputs
 * (no pipeline parallelism), every operation supported by the CPU and all but some flash attention
 * by CUDA, and a CUDA backend that supports only its own buffers. The CUDA backend's fusion
 * dependencies (mixture-of-experts top-k and weighted expert sum, {@code CudaFusionDeps}) keep
 * tensors alive past the nodes that end those fusions, as its graph_optimize asks.
 *
 * <pre>{@code
 * Map<String, Long> bytes = GraphScheduler.computeBuffers(graph, List.of("CUDA0"));  // CUDA0 and CPU
 * }</pre>
 */
public final class GraphScheduler {
    private static final System.Logger LOG = System.getLogger(GraphScheduler.class.getName());

    /** llama.cpp's default op_offload_min_batch_size (GGML_OP_OFFLOAD_MIN_BATCH). */
    private static final long OFFLOAD_MIN_BATCH = 32;
    /** GGML_MAX_SRC: a dependency node keeps at most this many tensors. */
    private static final int MAX_SRC = 10;

    private final List<String> backends;
    private final int cpu;

    private GraphScheduler(List<String> gpus) {
        backends = new ArrayList<>(gpus);
        backends.add("CPU");
        cpu = backends.size() - 1;
    }

    /** Compute buffer bytes per device ("CPU" last: the host buffer) for a graph whose tensors name their devices. */
    public static Map<String, Long> computeBuffers(Graph graph, List<String> gpus) {
        GraphScheduler s = new GraphScheduler(gpus);
        List<Tensor> nodes = s.split(graph);
        boolean[] cuda = new boolean[s.backends.size()];
        for (int i = 0; i < s.cpu; i++) {
            cuda[i] = true;
        }
        long[] bytes = ComputeAllocator.peakBytes(graph.leafs(), nodes, t -> s.backend(t), cuda);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < bytes.length; i++) {
            out.put(s.backends.get(i), bytes[i]);
        }
        return out;
    }

    /**
     * llama.cpp's check for flash attention left on {@code auto} ({@code resolve_fused_ops}): in the
     * graph of one token per sequence, does every layer's flash attention run on that layer's device?
     * If one lands elsewhere (no kernel for its head size there), llama.cpp turns it off everywhere.
     *
     * @param layerDevice the device each layer's weights and cache are on
     */
    public static boolean flashAttentionStaysOnLayerDevices(Graph oneTokenGraph, List<String> gpus,
                                                            java.util.function.IntFunction<String> layerDevice) {
        GraphScheduler s = new GraphScheduler(gpus);
        s.split(oneTokenGraph);
        for (Tensor t : oneTokenGraph.nodes()) {
            if (t.op == Op.FLASH_ATTN_EXT && t.layer >= 0
                    && !s.backends.get(s.backend(t)).equals(layerDevice.apply(t.layer))) {
                return false;
            }
        }
        return true;
    }

    private int backend(Tensor t) {
        return t == null ? -1 : t.backend;
    }

    private void assign(Tensor t, int b) {
        t.backend = b;
    }

    private static boolean viewOp(Tensor t) {
        return t.op.view();
    }

    /** The backend whose buffer holds t (a weight, a cache tensor or a view of one); -1 for compute tensors. */
    private int bufferBackend(Tensor t) {
        Tensor holder = t.viewSrc != null ? t.viewSrc : t;
        if (!holder.external) {
            return -1;
        }
        int i = backends.indexOf(holder.device);
        return i >= 0 ? i : cpu;
    }

    /** ggml_backend_sched_buffer_supported: host buffers are the CPU's, a CUDA backend takes only its own. */
    private boolean bufferSupported(Tensor t, int b) {
        int buffer = bufferBackend(t);
        if (buffer == -1) {
            buffer = backend(t);
            if (buffer == -1 && t.viewSrc != null) {
                buffer = backend(t.viewSrc);
            }
        }
        return buffer != -1 && buffer == b;
    }

    /**
     * ggml_backend_supports_op: the CPU runs everything; a CUDA backend everything the modelled graphs
     * use except flash attention it has no kernel for (ggml_cuda_get_best_fattn_kernel returning
     * BEST_FATTN_KERNEL_NONE on a Turing-or-newer GPU), which then runs on the CPU with copies of its
     * inputs (BERT's head size 32 with flash attention forced on, for one).
     */
    private boolean supportsOp(int b, Tensor op) {
        return b == cpu || op.op != Op.FLASH_ATTN_EXT || cudaFlashAttnSupported(op);
    }

    private static boolean cudaFlashAttnSupported(Tensor fa) {
        Tensor q = fa.src.get(0);
        Tensor k = fa.src.get(1);
        Tensor v = fa.src.get(2);
        Tensor mask = fa.src.size() > 3 ? fa.src.get(3) : null;
        long gqaRatio = q.ne[2] / k.ne[2];
        // the grouped-query kernels need a mask, a KV length padded to FATTN_KQ_STRIDE (256) and
        // 16-byte strides (no ALiBi in the modelled graphs: max_bias 0)
        boolean gqaOpt = gqaRatio >= 2 && mask != null && k.ne[1] % 256 == 0;
        for (Tensor t : new Tensor[] {q, k, v, mask}) {
            if (t == null || t.type.isQuantized()) {
                continue;
            }
            for (int i = 1; i < 4; i++) {
                gqaOpt &= t.nb[i] % 16 == 0;
            }
        }
        long dk = k.ne[0];
        long dv = v.ne[0];
        boolean head = switch ((int) dk) {
            case 40, 64, 72, 80, 96, 112, 128, 256 -> dv == dk;
            case 192 -> dv == 128 && gqaOpt && gqaRatio % 8 == 0;
            case 320 -> dv == 256 && gqaOpt && gqaRatio % 32 == 0;
            case 512 -> dv == dk && gqaOpt;
            case 576 -> dv == 512 && gqaOpt;
            default -> false;
        };
        return head && fattnKvType(k.type) && fattnKvType(v.type) && (mask == null || mask.ne[2] == 1);
    }

    /** ggml_cuda_fattn_kv_type_supported. */
    private static boolean fattnKvType(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> true;
            default -> false;
        };
    }

    private static long batchSize(Tensor op) {
        return switch (op.op) {
            case GET_ROWS -> 0;
            case MUL_MAT -> op.ne[1];
            case MUL_MAT_ID, ROPE -> op.ne[2];
            default -> op.ne[1] * op.ne[2] * op.ne[3];
        };
    }

    /** ggml_backend_sched_backend_id_from_cur. */
    private int fromCurrent(Tensor t) {
        int b = bufferBackend(t);
        if (b != -1) {
            return b;
        }
        if (t.input) {
            return cpu;
        }
        // rope's frequency factors and flash attention's sinks are too small to decide by
        if (t.op != Op.ROPE && t.op != Op.FLASH_ATTN_EXT) {
            for (Tensor src : t.src) {
                if (src.external && src.weights && src.viewSrc == null) {
                    int wb = bufferBackend(src);
                    if (wb == cpu && cpu > 0 && batchSize(t) >= OFFLOAD_MIN_BATCH && supportsOp(0, t)) {
                        return 0; // op_offload: the highest-priority GPU takes large batches of host weights
                    }
                    return wb;
                }
            }
        }
        return -1;
    }

    private List<Tensor> split(Graph graph) {
        List<Tensor> nodes = graph.nodes();
        // ggml_node_get_use_count: how many sources of the graph's nodes name each tensor, before copies replace any
        Map<Tensor, Integer> useCounts = new IdentityHashMap<>();
        for (Tensor node : nodes) {
            for (Tensor src : node.src) {
                useCounts.merge(src, 1, Integer::sum);
            }
        }
        // pass 1: tensors whose buffers or weights decide
        for (Tensor leaf : graph.leafs()) {
            assign(leaf, fromCurrent(leaf));
        }
        for (Tensor node : nodes) {
            assign(node, fromCurrent(node));
        }
        // pass 2: spread GPU assignments down and up (past unassigned operations, not past the CPU), then any
        expand(nodes, true, false);
        expand(nodes, false, false);
        expand(nodes, true, true);
        expand(nodes, false, true);
        // pass 3: what is still unassigned goes where most of its inputs already are
        for (Tensor node : nodes) {
            if (viewOp(node) || backend(node) != -1) {
                continue;
            }
            int best = -1;
            for (int b = 0; b < backends.size(); b++) {
                if (!supportsOp(b, node)) {
                    continue;
                }
                int supported = 0;
                for (Tensor src : node.src) {
                    if ((backend(src) != -1 || backend(src.viewSrc) != -1) && bufferSupported(src, b)) {
                        supported++;
                    }
                }
                if (supported > best) {
                    best = supported;
                    assign(node, b);
                }
            }
        }
        // pass 4: views follow their sources; sources left unassigned follow their consumer
        for (Tensor node : nodes) {
            if (node.viewSrc != null && backend(node) == -1) {
                assign(node, backend(node.viewSrc));
            }
            for (Tensor src : node.src) {
                if (backend(src) == -1) {
                    assign(src, src.viewSrc != null ? backend(src.viewSrc) : backend(node));
                }
            }
            for (int b = 0; b < backends.size() && backend(node) == -1; b++) {
                if (supportsOp(b, node)) {
                    assign(node, b);
                }
            }
        }
        // pass 5: splits, and copies of inputs that live where the split's backend cannot read them
        record Split(int backend, int start, List<Tensor> inputs) {}
        List<Split> splits = new ArrayList<>();
        Map<Tensor, Map<Integer, Tensor>> copies = new IdentityHashMap<>();
        int i = 0;
        while (i < nodes.size() && viewOp(nodes.get(i))) {
            i++;
        }
        if (i == nodes.size()) {
            return nodes;
        }
        Split split = new Split(backend(nodes.get(i)), 0, new ArrayList<>());
        splits.add(split);
        for (; i < nodes.size(); i++) {
            Tensor node = nodes.get(i);
            if (viewOp(node)) {
                continue;
            }
            int nodeBackend = backend(node);
            boolean newSplit = false;
            if (nodeBackend == split.backend() && !split.inputs().isEmpty()) {
                for (Tensor src : node.src) {
                    if (src.external && src.weights && src.viewSrc == null && backend(src) != split.backend()
                            && !bufferSupported(src, split.backend())) {
                        newSplit = true;
                        break;
                    }
                }
            }
            if (nodeBackend != split.backend() || newSplit) {
                split = new Split(nodeBackend, i, new ArrayList<>());
                splits.add(split);
            }
            List<Tensor> src = new ArrayList<>(node.src);
            boolean replaced = false;
            for (int j = 0; j < src.size(); j++) {
                Tensor s = src.get(j);
                if (backend(s) != split.backend() && !bufferSupported(s, split.backend())) {
                    Map<Integer, Tensor> byBackend = copies.computeIfAbsent(s, k -> new LinkedHashMap<>());
                    Tensor copy = byBackend.get(split.backend());
                    if (copy == null) {
                        copy = new Tensor(null, Op.NONE, s.type, s.ne.clone(), s.nb.clone(), List.of(), null, 0,
                                false);
                        assign(copy, split.backend());
                        byBackend.put(split.backend(), copy);
                        split.inputs().add(s);
                    }
                    src.set(j, copy);
                    replaced = true;
                }
            }
            if (replaced) {
                node.src = src;
            }
        }
        if (LOG.isLoggable(System.Logger.Level.TRACE)) {
            // what GGML_SCHED_DEBUG prints on llama.cpp's side, to compare the two
            for (Split sp : splits) {
                LOG.log(System.Logger.Level.TRACE, "split " + backends.get(sp.backend()) + " at node " + sp.start() + ", inputs "
                        + sp.inputs().stream().map(t -> t.op + java.util.Arrays.toString(t.ne) + t.type).toList());
            }
            for (int k = 0; k < nodes.size(); k++) {
                Tensor t = nodes.get(k);
                LOG.log(System.Logger.Level.TRACE, "node " + k + " " + t.op + java.util.Arrays.toString(t.ne) + " " + t.type
                        + " -> " + (backend(t) >= 0 ? backends.get(backend(t)) : "?"));
            }
        }
        // the CUDA backend's graph_optimize, per split on a GPU: tensors its fusions need kept alive
        // until a later node (keyed by that node, in the order ggml adds them)
        Map<Tensor, List<Tensor>> allocDeps = new IdentityHashMap<>();
        for (int k = 0; k < splits.size(); k++) {
            Split s = splits.get(k);
            if (s.backend() != cpu) {
                int end = k + 1 < splits.size() ? splits.get(k + 1).start() : nodes.size();
                CudaFusionDeps.collect(nodes, s.start(), end, useCounts, allocDeps);
            }
        }
        // the graph the allocator sees: per split, each input kept alive until its copy is made (by a
        // view of it on the input's backend), the copy allocated at the start of the split, then the
        // split's operations, each followed by the dependency nodes (GGML_OP_NONE, at most
        // GGML_MAX_SRC kept tensors as sources) of the fusions that end with it
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < splits.size(); k++) {
            Split s = splits.get(k);
            for (Tensor input : s.inputs()) {
                Tensor base = input.viewSrc != null ? input.viewSrc : input;
                // ggml_view_tensor leaves the op NONE: a dependency, not a view the allocator counts
                Tensor dep = new Tensor(null, Op.NONE, input.type, input.ne.clone(), input.nb.clone(),
                        List.of(input), base, 0, false);
                assign(dep, backend(input));
                out.add(dep);
                out.add(copies.get(input).get(s.backend()));
            }
            int end = k + 1 < splits.size() ? splits.get(k + 1).start() : nodes.size();
            for (Tensor node : nodes.subList(s.start(), end)) {
                out.add(node);
                List<Tensor> keep = allocDeps.get(node);
                if (keep == null) {
                    continue;
                }
                for (int j = 0; j < keep.size(); j += MAX_SRC) {
                    Tensor first = keep.get(j);
                    Tensor dep = new Tensor(first.name + "#keep", Op.NONE, first.type, first.ne.clone(),
                            first.nb.clone(), List.copyOf(keep.subList(j, Math.min(j + MAX_SRC, keep.size()))),
                            first.viewSrc != null ? first.viewSrc : first, 0, false);
                    assign(dep, s.backend());
                    out.add(dep);
                }
            }
        }
        return out;
    }

    /** One of pass 2's four sweeps: down or up, GPU backends only (the CPU stops the spread) or any. */
    private void expand(List<Tensor> nodes, boolean down, boolean any) {
        int current = -1;
        for (int k = 0; k < nodes.size(); k++) {
            Tensor node = nodes.get(down ? k : nodes.size() - 1 - k);
            if (viewOp(node)) {
                continue;
            }
            int b = backend(node);
            if (b != -1) {
                current = !any && b == cpu ? -1 : b;
            } else if (current != -1 && supportsOp(current, node)) {
                assign(node, current);
            }
        }
    }
}
