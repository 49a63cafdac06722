package dev.strata.llama;

import java.util.List;

/**
 * What a context and its model hold per ggml buffer type (llama_get_memory_breakdown): weights,
 * KV cache and compute buffers, with the device each buffer type belongs to. For a dry run
 * ({@link ModelParams#noAlloc()}) these are the sizes llama.cpp would allocate.
 *
 * @param buffers one entry per buffer type
 */
public record MemoryBreakdown(List<Buffer> buffers) {

    /**
     * @param bufferType   ggml's name for the buffer type: "CPU", "CUDA0", "CUDA_Host", ...
     * @param device       ggml device name the buffer type belongs to ("" when none)
     * @param host         whether the memory is host memory (RAM) rather than device memory
     * @param modelBytes   weights
     * @param contextBytes KV cache and other per-context state
     * @param computeBytes compute (scratch) buffers
     */
    public record Buffer(String bufferType, String device, boolean host, long modelBytes, long contextBytes,
                         long computeBytes) {
        public long totalBytes() {
            return modelBytes + contextBytes + computeBytes;
        }
    }

    public MemoryBreakdown {
        buffers = List.copyOf(buffers);
    }

    public long modelBytes() {
        return buffers.stream().mapToLong(Buffer::modelBytes).sum();
    }

    public long contextBytes() {
        return buffers.stream().mapToLong(Buffer::contextBytes).sum();
    }

    public long computeBytes() {
        return buffers.stream().mapToLong(Buffer::computeBytes).sum();
    }

    /** Bytes in device (non-host) buffers of the named ggml device, e.g. "CUDA0". */
    public long bytesOn(String device) {
        return buffers.stream().filter(b -> !b.host() && b.device().equals(device)).mapToLong(Buffer::totalBytes).sum();
    }
}
