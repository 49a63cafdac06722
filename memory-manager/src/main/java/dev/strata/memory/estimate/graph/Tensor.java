package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor of a simulated ggml graph: type, shape and strides, the operation that makes it and its
 * sources. Weights and KV-cache tensors are {@code external}: they live in buffers of their own, never
 * in the compute buffer. A view shares its base tensor's memory.
 */
public final class Tensor {
    final String name;
    final Op op;
    final GgmlType type;
    final long[] ne;
    final long[] nb;
    List<Tensor> src;
    final Tensor viewSrc;
    final long viewOffset;
    final boolean external;
    boolean input;
    boolean output;
    /** For external tensors: the ggml device whose buffer holds them ("CPU", "CUDA0", ...). */
    String device = "CPU";
    /** Scratch of one replay: the allocator's bookkeeping and the scheduler's backend (a field, not a map: speed). */
    Object allocation;
    int backend = -1;
    /** For flash attention: the model layer it belongs to (-1 otherwise). */
    int layer = -1;
    boolean visited;
    /** For external tensors: a weights buffer (GGML_BACKEND_BUFFER_USAGE_WEIGHTS), not the KV cache. */
    boolean weights;

    Tensor(String name, Op op, GgmlType type, long[] ne, long[] nb, List<Tensor> src, Tensor viewSrc, long viewOffset,
           boolean external) {
        this.name = name;
        this.op = op;
        this.type = type;
        this.ne = ne;
        this.nb = nb;
        this.src = src;
        this.viewSrc = viewSrc;
        this.viewOffset = viewOffset;
        this.external = external;
    }

    static long[] contiguousStrides(GgmlType type, long[] ne) {
        long[] nb = new long[4];
        nb[0] = type.typeSize();
        nb[1] = type.byteSize(ne[0]);
        for (int i = 2; i < 4; i++) {
            nb[i] = nb[i - 1] * ne[i - 1];
        }
        return nb;
    }

    public long dim(int i) {
        return ne[i];
    }

    public long stride(int i) {
        return nb[i];
    }

    public GgmlType type() {
        return type;
    }

    public long elements() {
        return ne[0] * ne[1] * ne[2] * ne[3];
    }

    /** ggml_nbytes. */
    public long bytes() {
        long blck = type.blockSize();
        long bytes;
        if (blck == 1) {
            bytes = type.typeSize();
            for (int i = 0; i < 4; i++) {
                bytes += (ne[i] - 1) * nb[i];
            }
        } else {
            bytes = ne[0] * nb[0] / blck;
            for (int i = 1; i < 4; i++) {
                bytes += (ne[i] - 1) * nb[i];
            }
        }
        return bytes;
    }

    boolean isView() {
        return viewSrc != null;
    }

    boolean isContiguous() {
        return Arrays.equals(nb, contiguousStrides(type, ne));
    }

    boolean sameLayout(Tensor o) {
        return type == o.type && Arrays.equals(ne, o.ne) && Arrays.equals(nb, o.nb);
    }

    @Override
    public String toString() {
        return (name != null ? name + " " : "") + op + " " + type + Arrays.toString(ne);
    }
}
