package dev.strata.llama;

import java.util.Objects;

/**
 * How a context is made (llama_context_params). Actual values can differ (llama.cpp pads the
 * context, clamps the micro-batch); read them back from {@link LlamaContext}.
 *
 * <pre>{@code
 * ContextParams chat = ContextParams.defaults().withContextSize(4096).withSequences(8);
 * ContextParams embed = ContextParams.defaults().withEmbeddings(true, Pooling.UNSPECIFIED);
 * }</pre>
 *
 * @param contextSize   tokens of KV cache over all sequences; 0 = the model's training context
 * @param batchSize     most tokens one {@link LlamaContext#decode} call may carry
 * @param microBatch    tokens computed per graph evaluation (n_ubatch); bounds the compute buffers
 * @param sequences     parallel sequences sharing the KV cache (n_seq_max)
 * @param threads       CPU threads for single-token generation
 * @param batchThreads  CPU threads for prompt and batch processing
 * @param flashAttention flash attention on, off or per device
 * @param typeK         K-cache element type
 * @param typeV         V-cache element type
 * @param embeddings    compute embeddings (for embedding models)
 * @param pooling       embedding pooling
 * @param kvUnified     one KV buffer shared by all sequences (good when they share a prefix)
 * @param offloadKqv    keep the KV cache and attention on the GPU where layers are
 * @param swaFull       sliding-window layers get a full-size cache (llama.cpp's default); false sizes them to the window
 * @param backendSampling every sequence gets a greedy backend sampler: the argmax of each output row runs in the
 *                      graph on the output layer's device (one argmax for all rows), and {@link Sampler} takes a
 *                      greedy token from there instead of scanning the row. Rows sampled so are not copied back:
 *                      a sequence whose rows are read (logprobs, other samplers, grammars) must be taken out
 *                      first ({@link LlamaContext#sampleInGraph}). A decode then gives at most one output per
 *                      sequence, and llama.cpp reserves its graph for {@code sequences} outputs rather than a
 *                      full micro-batch. Ignored for embeddings. Default off.
 */
public record ContextParams(int contextSize, int batchSize, int microBatch, int sequences, int threads, int batchThreads,
                            FlashAttention flashAttention, KvCacheType typeK, KvCacheType typeV, boolean embeddings,
                            Pooling pooling, boolean kvUnified, boolean offloadKqv, boolean swaFull,
                            boolean backendSampling) {

    public ContextParams {
        Objects.requireNonNull(flashAttention, "flashAttention");
        Objects.requireNonNull(typeK, "typeK");
        Objects.requireNonNull(typeV, "typeV");
        Objects.requireNonNull(pooling, "pooling");
        if (contextSize < 0) {
            throw new IllegalArgumentException("contextSize must be >= 0 (0 = from the model), not " + contextSize);
        }
        if (batchSize < 1 || microBatch < 1 || sequences < 1 || threads < 1 || batchThreads < 1) {
            throw new IllegalArgumentException("batch size, micro-batch, sequences and threads must be >= 1: " + batchSize
                    + ", " + microBatch + ", " + sequences + ", " + threads + ", " + batchThreads);
        }
    }

    /** Without backend sampling. */
    public ContextParams(int contextSize, int batchSize, int microBatch, int sequences, int threads, int batchThreads,
                         FlashAttention flashAttention, KvCacheType typeK, KvCacheType typeV, boolean embeddings,
                         Pooling pooling, boolean kvUnified, boolean offloadKqv, boolean swaFull) {
        this(contextSize, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, typeK, typeV, embeddings,
                pooling, kvUnified, offloadKqv, swaFull, false);
    }

    /** 4096 tokens, batch 512, one sequence, all cores, F16 cache, flash attention auto. */
    public static ContextParams defaults() {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new ContextParams(4096, 512, 512, 1, cores, cores, FlashAttention.AUTO, KvCacheType.F16, KvCacheType.F16,
                false, Pooling.UNSPECIFIED, true, true, true);
    }

    public ContextParams withContextSize(int tokens) {
        return new ContextParams(tokens, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, typeK,
                typeV, embeddings, pooling, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withBatch(int batch, int micro) {
        return new ContextParams(contextSize, batch, micro, sequences, threads, batchThreads, flashAttention, typeK,
                typeV, embeddings, pooling, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withSequences(int n) {
        return new ContextParams(contextSize, batchSize, microBatch, n, threads, batchThreads, flashAttention, typeK,
                typeV, embeddings, pooling, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withThreads(int generation, int batch) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, generation, batch, flashAttention, typeK,
                typeV, embeddings, pooling, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withFlashAttention(FlashAttention fa) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, threads, batchThreads, fa, typeK, typeV,
                embeddings, pooling, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withCacheTypes(KvCacheType k, KvCacheType v) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, k, v,
                embeddings, pooling, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withEmbeddings(boolean on, Pooling p) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, typeK,
                typeV, on, p, kvUnified, offloadKqv, swaFull, backendSampling);
    }

    public ContextParams withKvUnified(boolean unified) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, typeK,
                typeV, embeddings, pooling, unified, offloadKqv, swaFull, backendSampling);
    }

    /**
     * Greedy tokens picked on the output layer's device (see {@code backendSampling}).
     *
     * <pre>{@code
     * ContextParams serving = ContextParams.defaults().withSequences(32).withBackendSampling(true);
     * }</pre>
     */
    public ContextParams withBackendSampling(boolean on) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, typeK,
                typeV, embeddings, pooling, kvUnified, offloadKqv, swaFull, on);
    }

    public ContextParams withSwaFull(boolean full) {
        return new ContextParams(contextSize, batchSize, microBatch, sequences, threads, batchThreads, flashAttention, typeK,
                typeV, embeddings, pooling, kvUnified, offloadKqv, full, backendSampling);
    }
}
