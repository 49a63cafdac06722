package dev.strata.memory.estimate;

/**
 * The context sizes llama.cpp actually uses for the requested ones (src/llama-context.cpp,
 * {@code llama_context::llama_context}):
 * <pre>
 * n_ctx     = n_ctx == 0 ? n_ctx_train : n_ctx
 * n_batch   = causal ? min(n_ctx, n_batch) : n_batch        (before n_ctx is padded)
 * n_ubatch  = min(n_batch, n_ubatch == 0 ? n_batch : n_ubatch)
 * n_ctx     = GGML_PAD(n_ctx, 256)
 * n_ctx_seq = kv_unified ? n_ctx : GGML_PAD(n_ctx / n_seq_max, 256)   and then n_ctx = n_ctx_seq * n_seq_max
 * </pre>
 * The KV cache has {@code n_ctx_seq} cells in each of {@code streams} streams (one when unified,
 * else one per sequence: llama-kv-cache.cpp, {@code n_stream}).
 *
 * <pre>{@code
 * ContextSize.of(KvCacheParams.defaults().withContext(1000).withSequences(3), 8192, true);
 * // n_ctx 1000 → 1024; per sequence 341 → 512; n_ctx 1536; 3 streams of 512 cells
 * }</pre>
 *
 * @param contextSize    n_ctx after padding
 * @param contextPerSeq  n_ctx_seq: cells per stream of the (full-attention) cache
 * @param batchSize      n_batch
 * @param microBatch     n_ubatch
 * @param streams        cache streams
 */
public record ContextSize(int contextSize, int contextPerSeq, int batchSize, int microBatch, int streams) {
    /** llama.cpp pads the context to this many tokens. */
    public static final int PAD = 256;

    /**
     * @param trainContext n_ctx_train, used when {@code contextSize} is 0
     * @param causal       whether the model's attention is causal
     * @throws IllegalArgumentException if the context ends up 0 ("n_ctx and n_ctx_train cannot both be zero")
     */
    public static ContextSize of(KvCacheParams p, int trainContext, boolean causal) {
        long nCtx = p.contextSize() == 0 ? trainContext : p.contextSize();
        if (nCtx <= 0) {
            throw new IllegalArgumentException("n_ctx and n_ctx_train cannot both be zero");
        }
        long nBatch = causal ? Math.min(nCtx, p.batchSize()) : p.batchSize();
        long nUbatch = Math.min(nBatch, p.microBatch() == 0 ? p.batchSize() : p.microBatch());
        nCtx = pad(nCtx);
        long perSeq;
        if (p.unified()) {
            perSeq = nCtx;
        } else {
            perSeq = pad(nCtx / p.sequences());
            nCtx = perSeq * p.sequences();
        }
        return new ContextSize(Math.toIntExact(nCtx), Math.toIntExact(perSeq), (int) nBatch, (int) nUbatch,
                p.unified() ? 1 : p.sequences());
    }

    /** {@code GGML_PAD(n, 256)}. */
    static long pad(long n) {
        return (n + PAD - 1) / PAD * PAD;
    }
}
