package dev.strata.memory.estimate;

import dev.strata.memory.gguf.GgmlType;
import java.util.Map;

/**
 * Which weight types the CPU backend's extra buffer type (CPU_REPACK) takes for matrix
 * multiplication on this host ({@code ggml_repack_get_optimal_repack_type},
 * ggml/src/ggml-cpu/repack.cpp): a type and a row-count multiple per type.
 *
 * <p>Repacked weights take the same bytes, so this only matters where it changes what llama.cpp
 * allocates: a tied LM head on the CPU. The token embedding (looked up with GET_ROWS) stays in the
 * plain CPU buffer while its use as the output matrix goes to CPU_REPACK, so llama.cpp creates a
 * second copy ({@code TENSOR_DUPLICATED} finds no tensor of that name in the CPU_REPACK context).
 * In a CUDA build the CPU buffer list starts with CUDA_Host, which takes both uses, so there is no
 * copy: use {@link #NONE} there.
 *
 * <pre>{@code
 * CpuRepack.x86Avx2().repacks(GgmlType.Q4_0, 128256);   // true: 128256 % 8 == 0
 * CpuRepack.NONE.repacks(GgmlType.Q4_0, 128256);        // false
 * }</pre>
 *
 * @param rowMultipleByType a repacked type and the multiple its row count (ne1) must be
 */
public record CpuRepack(Map<GgmlType, Integer> rowMultipleByType) {
    /** No extra CPU buffer type: CUDA builds, or {@code use_extra_bufts = false}. */
    public static final CpuRepack NONE = new CpuRepack(Map.of());

    public CpuRepack {
        rowMultipleByType = Map.copyOf(rowMultipleByType);
    }

    /** An x86 CPU with AVX2: Q4_0, Q4_K, IQ4_NL and MXFP4 in 8-row interleaves. */
    public static CpuRepack x86Avx2() {
        return new CpuRepack(Map.of(GgmlType.Q4_0, 8, GgmlType.Q4_K, 8, GgmlType.IQ4_NL, 8, GgmlType.MXFP4, 8));
    }

    /** An x86 CPU with AVX-512: the AVX2 set and Q2_K. */
    public static CpuRepack x86Avx512() {
        return new CpuRepack(Map.of(GgmlType.Q4_0, 8, GgmlType.Q4_K, 8, GgmlType.IQ4_NL, 8, GgmlType.MXFP4, 8,
                GgmlType.Q2_K, 8));
    }

    /** Whether a 2-D matrix of {@code type} with {@code rows} rows (ne1) goes to CPU_REPACK. */
    public boolean repacks(GgmlType type, long rows) {
        Integer multiple = rowMultipleByType.get(type);
        return multiple != null && rows % multiple == 0;
    }
}
