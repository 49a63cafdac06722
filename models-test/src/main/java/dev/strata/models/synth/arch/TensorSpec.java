package dev.strata.models.synth.arch;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One tensor of a model as llama.cpp's {@code load_arch_tensors} creates it: its GGUF name and its
 * dimensions in ggml order (ne0, the row length, first). No type: a {@code QuantMix} picks it from
 * the name, as llama.cpp's quantizer does.
 *
 * <pre>{@code
 * TensorSpec q = TensorSpec.of("blk.0.attn_q.weight", 4096, 4096);
 * q.layer();          // OptionalInt[0]
 * q.elementCount();   // 16_777_216
 * }</pre>
 *
 * @param name GGUF tensor name, such as {@code blk.3.ffn_down_exps.weight}
 * @param dims 1 to 4 positive dimensions, ne0 first
 */
public record TensorSpec(String name, List<Long> dims) {
    private static final int MAX_DIMS = 4;

    /** @throws IllegalArgumentException for an empty name, no dims, too many dims or a non-positive dim */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        dims = List.copyOf(dims);
        if (dims.isEmpty() || dims.size() > MAX_DIMS) {
            throw new IllegalArgumentException(name + ": needs 1 to 4 dims, not " + dims.size());
        }
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": non-positive dimension in " + dims);
            }
        }
    }

    /** A tensor of the given dimensions, ne0 first. */
    public static TensorSpec of(String name, long... dims) {
        return new TensorSpec(name, java.util.Arrays.stream(dims).boxed().toList());
    }

    /** Number of dimensions (ggml_n_dims: trailing ones count, as written). */
    public int nDims() {
        return dims.size();
    }

    /** Dimension {@code i}; 1 past the last one, as ggml pads shapes to four dimensions. */
    public long dim(int i) {
        Objects.checkIndex(i, MAX_DIMS);
        return i < dims.size() ? dims.get(i) : 1L;
    }

    /** Dimensions as an array, for {@code GgufWriter.addTensor}. */
    public long[] dimsArray() {
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Product of the dimensions. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The block index N of a {@code blk.N.} tensor; empty for model-wide tensors such as {@code output.weight}. */
    public OptionalInt layer() {
        if (!name.startsWith("blk.")) {
            return OptionalInt.empty();
        }
        int end = name.indexOf('.', 4);
        return end < 0 ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(name.substring(4, end)));
    }
}
