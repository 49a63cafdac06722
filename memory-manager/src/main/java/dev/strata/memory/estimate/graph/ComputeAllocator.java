package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * ggml-alloc's graph allocator replayed in Java: leafs and inputs first, then each node in order,
 * reusing a parent's memory in place where ggml would, freeing a tensor after its last consumer,
 * best-fit over free blocks with the last block growing the buffer; one buffer per backend. The
 * sizes it reports are what llama.cpp's dry run reports as compute buffers.
 *
 * <p>Mirrors {@code ggml_gallocr_alloc_graph_impl} and {@code ggml_dyn_tallocr} of ggml 0.25.1 with
 * one chunk per buffer (CPU and CUDA buffers have no maximum size).
 */
public final class ComputeAllocator {
    private static final class Info {
        int children;
        int views;
        boolean allocated;
        int buffer;
        long offset;
    }

    /** One backend's buffer: its alignment, whether it pads quantized rows as CUDA does, its free blocks. */
    private static final class Buffer {
        final long alignment;
        final boolean cuda;
        final List<long[]> free = new ArrayList<>(); // {offset, size}, sorted by offset
        long maxSize;

        Buffer(long alignment, boolean cuda) {
            this.alignment = alignment;
            this.cuda = cuda;
            free.add(new long[] {0, Long.MAX_VALUE / 2});
        }

        long aligned(long size) {
            return (size + alignment - 1) / alignment * alignment;
        }

        /** ggml_backend_buft_get_alloc_size: CUDA pads quantized rows to whole MATRIX_ROW_PADDING (512) rows. */
        long allocSize(Tensor t) {
            long size = t.bytes();
            if (cuda && t.type.blockSize() > 1 && t.type != GgmlType.F16 && t.ne[0] % 512 != 0) {
                size += t.type.byteSize(512 - t.ne[0] % 512);
            }
            return size;
        }

        long alloc(long size) {
            size = aligned(size);
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

        void free(long offset, long size) {
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

    private final Buffer[] buffers;
    private final ToIntFunction<Tensor> bufferOf;

    private ComputeAllocator(Buffer[] buffers, ToIntFunction<Tensor> bufferOf) {
        this.buffers = buffers;
        this.bufferOf = bufferOf;
    }

    /** The compute buffer ggml-alloc reserves for a one-backend graph, with this alignment (CPU 32, CUDA 128). */
    public static long peakBytes(Graph graph, long alignment) {
        ComputeAllocator a = new ComputeAllocator(new Buffer[] {new Buffer(alignment, false)}, t -> 0);
        a.run(graph.leafs(), graph.nodes());
        return a.buffers[0].maxSize;
    }

    /**
     * The compute buffers of a scheduled graph, one per backend (index as in {@code cuda}: true for a
     * CUDA backend, false for a host one).
     */
    static long[] peakBytes(List<Tensor> leafs, List<Tensor> nodes, ToIntFunction<Tensor> backendOf, boolean[] cuda) {
        Buffer[] buffers = new Buffer[cuda.length];
        for (int i = 0; i < cuda.length; i++) {
            buffers[i] = new Buffer(cuda[i] ? 128 : 32, cuda[i]);
        }
        ComputeAllocator a = new ComputeAllocator(buffers, backendOf);
        a.run(leafs, nodes);
        long[] out = new long[cuda.length];
        for (int i = 0; i < cuda.length; i++) {
            out[i] = buffers[i].maxSize;
        }
        return out;
    }

    private Info info(Tensor t) {
        if (t.allocation == null) {
            t.allocation = new Info();
        }
        return (Info) t.allocation;
    }

    private boolean isAllocated(Tensor t) {
        return t.external || info(t).allocated;
    }

    private void run(List<Tensor> leafs, List<Tensor> nodes) {
        for (Tensor leaf : leafs) {
            allocate(leaf, bufferOf.applyAsInt(leaf));
        }
        for (Tensor node : nodes) {
            // a GGML_OP_NONE node is a scheduler's placeholder: its views add no dependency
            if (node.isView() && node.op != Op.NONE) {
                info(node.viewSrc).views++;
            }
            int buffer = bufferOf.applyAsInt(node);
            if (node.input) {
                allocate(node, buffer);
            }
            for (Tensor s : node.src) {
                info(s).children++;
                if (s.input) {
                    allocate(s, buffer);
                }
            }
        }
        for (Tensor node : nodes) {
            int buffer = bufferOf.applyAsInt(node);
            for (Tensor s : node.src) {
                allocate(s, buffer);
            }
            allocate(node, buffer);
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

    private void allocate(Tensor node, int buffer) {
        if (isAllocated(node) || node.isView()) {
            return;
        }
        Info hn = info(node);
        hn.allocated = true;
        if (node.op.inplace()) {
            for (Tensor parent : node.src) {
                // ggml-alloc reuses only memory it allocated itself; views are never that (their branch
                // in ggml_gallocr_allocate_node cannot be reached), nor are weights and the KV cache.
                Info p = info(parent);
                if (!p.allocated || parent.output || (parent.viewSrc != null && parent.viewSrc.output)
                        || !node.sameLayout(parent)) {
                    continue;
                }
                if (p.children == 1 && p.views == 0) {
                    hn.buffer = p.buffer;
                    hn.offset = p.offset;
                    p.allocated = false;
                    Buffer b = buffers[p.buffer];
                    long parentSize = b.aligned(b.allocSize(parent));
                    long nodeSize = b.aligned(b.allocSize(node));
                    if (parentSize > nodeSize) {
                        b.free(p.offset + nodeSize, parentSize - nodeSize);
                    }
                    return;
                }
            }
        }
        hn.buffer = buffer;
        hn.offset = buffers[buffer].alloc(buffers[buffer].allocSize(node));
    }

    private void release(Tensor t) {
        if (t.output) {
            return;
        }
        Info i = info(t);
        Buffer b = buffers[i.buffer];
        b.free(i.offset, b.allocSize(t));
        i.allocated = false;
    }
}
