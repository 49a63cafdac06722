package dev.strata.memory.gguf;

import java.util.List;
import java.util.Objects;

/**
 * Where one tensor lives in a GGUF file and how big it is. Dimensions are ggml's {@code ne}, fastest
 * varying first: a {@code [n_embd, n_vocab]} token embedding has {@code dims = [n_embd, n_vocab]}.
 *
 * <pre>{@code
 * GgufTensorInfo t = file.tensor("token_embd.weight");
 * long start = file.dataOffset() + t.offset();   // absolute file offset of the data
 * long end = start + t.byteSize();
 * }</pre>
 *
 * @param name   tensor name, unique within a file
 * @param dims   1 to 4 positive dimensions, ne0 first
 * @param type   element type
 * @param offset byte offset of the data, relative to {@link GgufFile#dataOffset()}
 */
public record GgufTensorInfo(String name, List<Long> dims, GgmlType type, long offset) {

    /** Most dimensions a ggml tensor can have ({@code GGML_MAX_DIMS}). */
    public static final int MAX_DIMS = 4;

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if dims are not 1 to 4 positive values, if ne0 is not a whole
     *                                  number of blocks, if the size overflows, or if offset is negative
     */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = List.copyOf(dims);
        if (dims.isEmpty() || dims.size() > MAX_DIMS) {
            throw new IllegalArgumentException(name + ": " + dims.size() + " dimensions, expected 1 to " + MAX_DIMS);
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + d + " is not positive");
            }
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + ": element count of " + dims + " overflows a long", e);
            }
        }
        if (dims.get(0) % type.blockSize() != 0) {
            throw new IllegalArgumentException(
                    name + ": ne0 " + dims.get(0) + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        try {
            type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": byte size of " + dims + " " + type + " overflows a long", e);
        }
        if (offset < 0) {
            throw new IllegalArgumentException(name + ": negative offset " + offset);
        }
    }

    /** Convenience factory: {@code GgufTensorInfo.of("output.weight", GgmlType.Q6_K, 0, 4096, 32000)}. */
    public static GgufTensorInfo of(String name, GgmlType type, long offset, long... dims) {
        return new GgufTensorInfo(name, java.util.Arrays.stream(dims).boxed().toList(), type, offset);
    }

    /** Number of dimensions, 1 to 4. */
    public int nDims() {
        return dims.size();
    }

    /** Dimension {@code i}; 1 for {@code nDims() <= i < 4}, as ggml pads shapes to four dimensions. */
    public long dim(int i) {
        Objects.checkIndex(i, MAX_DIMS);
        return i < dims.size() ? dims.get(i) : 1L;
    }

    /** A fresh copy of the dimensions. */
    public long[] dimsArray() {
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Total number of elements, the product of the dimensions. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d; // cannot overflow: the constructor checked the product
        }
        return n;
    }

    /** Bytes of tensor data: {@code (ne0 / blockSize) * typeSize * ne1 * ne2 * ne3}. */
    public long byteSize() {
        return type.byteSize(elementCount());
    }
}
