package dev.strata.memory.estimate;

import dev.strata.memory.gguf.GgmlType;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a ggml buffer type sizes a tensor: llama.cpp sums, per tensor, the buffer type's allocation
 * size rounded up to its alignment ({@code ggml_backend_alloc_ctx_tensors_from_buft_size},
 * ggml/src/ggml-alloc.c), for weights and KV cache alike.
 *
 * <ul>
 *   <li>CPU, CPU_REPACK and CUDA_Host: {@code ggml_nbytes}, aligned to 32 ({@code TENSOR_ALIGNMENT},
 *       ggml/src/ggml-backend.cpp and ggml-cpu/repack.cpp).
 *   <li>CUDA: aligned to 128; a quantized tensor whose rows are not a multiple of 512 elements gets
 *       one extra row piece of {@code 512 - ne0 % 512} elements ({@code MATRIX_ROW_PADDING},
 *       ggml-cuda.cu, {@code ggml_backend_cuda_buffer_type_get_alloc_size}).
 * </ul>
 *
 * <pre>{@code
 * BufferRules.CUDA.allocBytes(GgmlType.Q8_0, 576, 576L * 4096);   // 576 % 512 != 0: +448 elements, then 128-aligned
 * BufferRules.forDevice("CUDA1");                                  // CUDA
 * }</pre>
 *
 * @param kind                 a name for the rules: "CPU" or "CUDA"
 * @param alignment            bytes every tensor is rounded up to; a power of two
 * @param quantizedRowPadding  0, or the element multiple quantized rows are padded to
 */
public record BufferRules(String kind, int alignment, int quantizedRowPadding) {
    /** Host memory: the CPU buffer types, and CUDA_Host, which uses the CPU's sizes. */
    public static final BufferRules CPU = new BufferRules("CPU", 32, 0);
    /** A CUDA device's buffer type. */
    public static final BufferRules CUDA = new BufferRules("CUDA", 128, 512);

    private static final Pattern CUDA_DEVICE = Pattern.compile("CUDA\\d+");

    public BufferRules {
        Objects.requireNonNull(kind, "kind");
        if (alignment <= 0 || Integer.bitCount(alignment) != 1 || quantizedRowPadding < 0) {
            throw new IllegalArgumentException("alignment must be a power of two and padding >= 0: " + alignment + ", "
                    + quantizedRowPadding);
        }
    }

    /**
     * The rules for a ggml device name: "CUDA0", "CUDA1", ... are CUDA; everything else ("CPU") is
     * sized like host memory. Other GPU backends (Vulkan, Metal) are not modelled.
     */
    public static BufferRules forDevice(String device) {
        return CUDA_DEVICE.matcher(device).matches() ? CUDA : CPU;
    }

    /**
     * Bytes a tensor of {@code elements} elements of {@code type}, with rows of {@code ne0}
     * elements, takes in a buffer of this type.
     */
    public long allocBytes(GgmlType type, long ne0, long elements) {
        long size = type.byteSize(elements);
        if (quantizedRowPadding > 0 && type.isQuantized() && ne0 % quantizedRowPadding != 0) {
            size += type.byteSize(quantizedRowPadding - ne0 % quantizedRowPadding); // ggml_row_size(type, pad)
        }
        return pad(size);
    }

    /** {@code GGML_PAD(size, alignment)}. */
    public long pad(long size) {
        return (size + alignment - 1) & -(long) alignment;
    }
}
