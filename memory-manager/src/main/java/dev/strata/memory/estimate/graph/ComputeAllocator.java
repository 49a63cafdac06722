package dev.strata.memory.estimate.graph;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * ggml-alloc's graph allocator replayed in Java: leafs and inputs first, then each node in order,
 * reusing a parent's memory in place where ggml would, freeing a tensor after its last consumer,
 * best-fit over free blocks with the last block growing the buffer. The buffer size it reports is
 * what llama.cpp's dry run reports for the compute buffer of a one-backend graph.
 *
 * <p>Mirrors {@code ggml_gallocr_alloc_graph_impl} and {@code ggml_dyn_tallocr} of ggml 0.25.1 with
 * one chunk (CPU and CUDA buffers have no maximum size).
 */
public final class ComputeAllocator {
    private static final class Info {
        int children;
        int views;
        boolean allocated;
        long offset;
    }

    private final long alignment;
    private final Map<Tensor, Info> info = new IdentityHashMap<>();
    private final List<long[]> free = new ArrayList<>(); // {offset, size}, sorted by offset
    private long maxSize;

    private ComputeAllocator(long alignment) {
        this.alignment = alignment;
        free.add(new long[] {0, Long.MAX_VALUE / 2});
    }

    /** The compute buffer ggml-alloc reserves for this graph, with this buffer alignment (CPU 32, CUDA 128). */
    public static long peakBytes(Graph graph, long alignment) {
        ComputeAllocator a = new ComputeAllocator(alignment);
        a.run(graph);
        return a.maxSize;
    }

    private Info info(Tensor t) {
        return info.computeIfAbsent(t, k -> new Info());
    }

    private long aligned(long size) {
        return (size + alignment - 1) / alignment * alignment;
    }

    private boolean isAllocated(Tensor t) {
        return t.external || info(t).allocated;
    }

    private boolean isOwn(Tensor t) {
        return info(t).allocated;
    }

    private void run(Graph graph) {
        for (Tensor leaf : graph.leafs()) {
            allocate(leaf);
        }
        for (Tensor node : graph.nodes()) {
            if (node.isView()) {
                info(node.viewSrc).views++;
            }
            if (node.input) {
                allocate(node);
            }
            for (Tensor s : node.src) {
                info(s).children++;
                if (s.input) {
                    allocate(s);
                }
            }
        }
        for (Tensor node : graph.nodes()) {
            for (Tensor s : node.src) {
                allocate(s);
            }
            allocate(node);
            for (Tensor parent : node.src) {
                Info p = info(parent);
                p.children--;
                if (p.children == 0 && p.views == 0) {
                    if (parent.isView()) {
                        Info base = info(parent.viewSrc);
                        base.views--;
                        if (base.views == 0 && base.children == 0 && base.allocated) {
                            release(parent.viewSrc);
                        }
                    } else if (p.allocated) {
                        release(parent);
                    }
                }
            }
        }
    }

    private void allocate(Tensor node) {
        if (isAllocated(node) || node.isView()) {
            return;
        }
        Info hn = info(node);
        hn.allocated = true;
        if (node.op.inplace()) {
            for (Tensor parent : node.src) {
                // ggml-alloc reuses only memory it allocated itself; views are never that (their branch
                // in ggml_gallocr_allocate_node cannot be reached), nor are weights and the KV cache.
                if (!isOwn(parent)) {
                    continue;
                }
                if (parent.output || (parent.viewSrc != null && parent.viewSrc.output)) {
                    continue;
                }
                if (!node.sameLayout(parent)) {
                    continue;
                }
                Info p = info(parent);
                if (p.children == 1 && p.views == 0) {
                    hn.offset = p.offset;
                    p.allocated = false;
                    freeExtra(node, parent, p.offset);
                    return;
                }
            }
        }
        hn.offset = alloc(aligned(node.bytes()));
    }

    private void freeExtra(Tensor node, Tensor parent, long parentOffset) {
        long parentSize = aligned(parent.bytes());
        long nodeSize = aligned(node.bytes());
        if (parentSize > nodeSize) {
            freeBytes(parentOffset + nodeSize, parentSize - nodeSize);
        }
    }

    private void release(Tensor t) {
        if (t.output) {
            return;
        }
        Info i = info(t);
        freeBytes(i.offset, aligned(t.bytes()));
        i.allocated = false;
    }

    private long alloc(long size) {
        int best = -1;
        long bestSize = Long.MAX_VALUE;
        for (int i = 0; i < free.size() - 1; i++) {
            long[] b = free.get(i);
            if (b[1] >= size && b[1] <= bestSize) {
                best = i;
                bestSize = b[1];
            }
        }
        if (best == -1) {
            best = free.size() - 1; // the last block always has room: the buffer grows
        }
        long[] b = free.get(best);
        long offset = b[0];
        b[0] += size;
        b[1] -= size;
        if (b[1] == 0) {
            free.remove(best);
        }
        maxSize = Math.max(maxSize, offset + size);
        return offset;
    }

    private void freeBytes(long offset, long size) {
        size = aligned(size);
        for (int i = 0; i < free.size(); i++) {
            long[] b = free.get(i);
            if (b[0] + b[1] == offset) {
                b[1] += size;
                if (i < free.size() - 1) {
                    long[] next = free.get(i + 1);
                    if (b[0] + b[1] == next[0]) {
                        b[1] += next[1];
                        free.remove(i + 1);
                    }
                }
                return;
            }
            if (offset + size == b[0]) {
                b[0] = offset;
                b[1] += size;
                if (i > 0) {
                    long[] prev = free.get(i - 1);
                    if (prev[0] + prev[1] == b[0]) {
                        prev[1] += b[1];
                        free.remove(i);
                    }
                }
                return;
            }
        }
        int pos = 0;
        while (pos < free.size() && free.get(pos)[0] < offset) {
            pos++;
        }
        free.add(pos, new long[] {offset, size});
    }
}
