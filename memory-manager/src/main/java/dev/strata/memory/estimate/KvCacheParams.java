package dev.strata.memory.estimate;

import dev.strata.memory.gguf.GgmlType;
import java.util.Objects;
import java.util.Set;

/**
 * The context parameters that size the KV cache (the relevant fields of {@code
 * llama_context_params}), with llama.cpp's defaults ({@code llama_context_default_params},
 * src/llama-context.cpp).
 *
 * <pre>{@code
 * KvCacheParams p = KvCacheParams.defaults().withContext(32768).withSequences(4)
 *         .withTypes(GgmlType.Q8_0, GgmlType.Q8_0);
 * }</pre>
 *
 * @param contextSize    n_ctx: tokens over all sequences; 0 = the model's training context
 * @param sequences      n_seq_max, 1 to 256
 * @param batchSize      n_batch
 * @param microBatch     n_ubatch; 0 = n_batch
 * @param unified        kv_unified: one cache stream for all sequences
 * @param typeK          K element type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, IQ4_NL, Q5_0 or Q5_1
 * @param typeV          V element type, same choices; a quantized V needs flash attention
 * @param flashAttention flash attention setting
 * @param swaFull        swa_full: sliding-window layers get a full-size cache (llama.cpp's default: true)
 * @param offloadKqv     offload_kqv: a layer's cache lives on its layer's device (else on the CPU)
 * @param backendSampling a decoder's context puts the bridge's greedy backend sampler on every sequence (Strata's
 *                       {@code ContextParams.backendSampling}): its graph ends with the sampling nodes and is reserved
 *                       for one output per sequence; llama.cpp's default: off
 */
public record KvCacheParams(int contextSize, int sequences, int batchSize, int microBatch, boolean unified,
                            GgmlType typeK, GgmlType typeV, FlashAttention flashAttention, boolean swaFull,
                            boolean offloadKqv, boolean backendSampling) {
    /** LLAMA_MAX_SEQ (src/llama-cparams.h). */
    public static final int MAX_SEQUENCES = 256;

    // The types llama.cpp's CLI offers for the cache (common/arg.cpp, kv_cache_types).
    private static final Set<GgmlType> CACHE_TYPES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.IQ4_NL, GgmlType.Q5_0, GgmlType.Q5_1);

    public KvCacheParams {
        Objects.requireNonNull(typeK, "typeK");
        Objects.requireNonNull(typeV, "typeV");
        Objects.requireNonNull(flashAttention, "flashAttention");
        if (contextSize < 0 || sequences < 1 || sequences > MAX_SEQUENCES || batchSize < 1 || microBatch < 0) {
            throw new IllegalArgumentException("context " + contextSize + ", sequences " + sequences + " (1 to "
                    + MAX_SEQUENCES + "), batch " + batchSize + ", micro-batch " + microBatch);
        }
        if (!CACHE_TYPES.contains(typeK) || !CACHE_TYPES.contains(typeV)) {
            throw new IllegalArgumentException("not a KV cache type: " + typeK + "/" + typeV + "; use one of " + CACHE_TYPES);
        }
    }

    /** Without backend sampling. */
    public KvCacheParams(int contextSize, int sequences, int batchSize, int microBatch, boolean unified, GgmlType typeK,
                         GgmlType typeV, FlashAttention flashAttention, boolean swaFull, boolean offloadKqv) {
        this(contextSize, sequences, batchSize, microBatch, unified, typeK, typeV, flashAttention, swaFull, offloadKqv, false);
    }

    /** llama.cpp's defaults: 512 tokens, one sequence, batch 2048, micro-batch 512, F16, flash attention auto. */
    public static KvCacheParams defaults() {
        return new KvCacheParams(512, 1, 2048, 512, false, GgmlType.F16, GgmlType.F16, FlashAttention.AUTO, true, true);
    }

    public KvCacheParams withContext(int tokens) {
        return new KvCacheParams(tokens, sequences, batchSize, microBatch, unified, typeK, typeV, flashAttention, swaFull,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withSequences(int n) {
        return new KvCacheParams(contextSize, n, batchSize, microBatch, unified, typeK, typeV, flashAttention, swaFull,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withBatch(int batch, int micro) {
        return new KvCacheParams(contextSize, sequences, batch, micro, unified, typeK, typeV, flashAttention, swaFull,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withUnified(boolean on) {
        return new KvCacheParams(contextSize, sequences, batchSize, microBatch, on, typeK, typeV, flashAttention, swaFull,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withTypes(GgmlType k, GgmlType v) {
        return new KvCacheParams(contextSize, sequences, batchSize, microBatch, unified, k, v, flashAttention, swaFull,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withFlashAttention(FlashAttention fa) {
        return new KvCacheParams(contextSize, sequences, batchSize, microBatch, unified, typeK, typeV, fa, swaFull,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withSwaFull(boolean on) {
        return new KvCacheParams(contextSize, sequences, batchSize, microBatch, unified, typeK, typeV, flashAttention, on,
                offloadKqv, backendSampling);
    }

    public KvCacheParams withOffloadKqv(boolean on) {
        return new KvCacheParams(contextSize, sequences, batchSize, microBatch, unified, typeK, typeV, flashAttention,
                swaFull, on, backendSampling);
    }

    /** Greedy backend samplers on every sequence (see {@code backendSampling}). */
    public KvCacheParams withBackendSampling(boolean on) {
        return new KvCacheParams(contextSize, sequences, batchSize, microBatch, unified, typeK, typeV, flashAttention, swaFull,
                offloadKqv, on);
    }
}
