package dev.strata.memory.estimate.graph;

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
 * (no pipeline parallelism), every operation supported by every backend, and a CUDA backend that
 * supports only its own buffers. The CUDA backend's fusion dependencies (mixture-of-experts top-k)
 * are not replayed.
 *
 * <pre>{@code
 * Map<String, Long> bytes = GraphScheduler.computeBuffers(graph, List.of("CUDA0"));  // CUDA0 and CPU
 * }</pre>
 */
public final class GraphScheduler {
    /** llama.cpp's default op_offload_min_batch_size (GGML_OP_OFFLOAD_MIN_BATCH). */
    private static final long OFFLOAD_MIN_BATCH = 32;

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
                    if (wb == cpu && cpu > 0 && batchSize(t) >= OFFLOAD_MIN_BATCH) {
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
            if (backend(node) == -1) {
                assign(node, 0);
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
        if (Boolean.getBoolean("strata.sched.debug")) {
            for (Split sp : splits) {
                System.out.println("## SPLIT " + backends.get(sp.backend()) + " at " + sp.start() + " inputs "
                        + sp.inputs().stream().map(t -> t.op + java.util.Arrays.toString(t.ne) + t.type).toList());
            }
            for (int k = 0; k < nodes.size(); k++) {
                Tensor t = nodes.get(k);
                System.out.println("node " + k + " " + t.op + java.util.Arrays.toString(t.ne) + " " + t.type + " -> "
                        + (backend(t) >= 0 ? backends.get(backend(t)) : "?"));
            }
        }
        // the graph the allocator sees: per split, each input kept alive until its copy is made (by a
        // view of it on the input's backend), the copy allocated at the start of the split, then the
        // split's operations
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
            out.addAll(nodes.subList(s.start(), end));
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
            } else if (current != -1) {
                assign(node, current);
            }
        }
    }
}
