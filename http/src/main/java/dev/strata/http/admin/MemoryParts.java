package dev.strata.http.admin;

/**
 * Bytes of one model on one device, split as the memory planner estimates them.
 *
 * <pre>{@code
 * MemoryParts p = new MemoryParts(4_000_000, 1_048_576, 300_000, 0);
 * p.total();   // 5_348_576
 * }</pre>
 *
 * @param weights  the model's tensors
 * @param kv       KV cache and other per-context state
 * @param compute  compute (scratch) buffers
 * @param overhead the rest: CUDA context, cuBLAS workspace, memory pools (measured: what the device lost
 *                 beyond llama.cpp's own buffers; 0 on the CPU)
 */
public record MemoryParts(long weights, long kv, long compute, long overhead) {
    public long total() {
        return weights + kv + compute + overhead;
    }
}
