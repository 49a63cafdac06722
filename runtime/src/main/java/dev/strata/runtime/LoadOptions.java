package dev.strata.runtime;

/**
 * How {@link Engine#load} places and sizes a model: either an explicit number of GPU layers, or
 * {@link #PLANNED}, where the memory planner places the model on the devices' free memory (net of
 * what the engine's ledger holds for other models) and the engine reserves it before loading.
 *
 * <pre>{@code
 * LoadOptions cpu = LoadOptions.defaults();
 * LoadOptions gpu = LoadOptions.defaults().withGpuLayers(-1).withContextSize(8192);
 * LoadOptions planned = LoadOptions.planned().withContextSize(8192);   // layers and split decided by the planner
 * LoadOptions server = LoadOptions.planned().withContextSize(16384).withSequences(8); // 8 requests share 16k cells
 * }</pre>
 *
 * @param gpuLayers   layers on the GPU: 0 = none, -1 = all, {@link #PLANNED} = as the memory planner decides
 * @param contextSize KV-cache tokens; 0 = the smaller of 4096 and the model's training context
 * @param threads     CPU threads for generation and prompt processing
 * @param hostBytes   planned mode only: host RAM the model's CPU part may take, in bytes; 0 = what the host
 *                    has free, less 1 GiB and what the ledger holds there for other models
 * @param sequences   requests decoded together at most (n_seq_max); they share the context's KV cells
 * @param prefixCache keep a finished request's KV cells so that a later one with the same prefix skips
 *                    it; they stay in the cache until the cells are needed, and attention runs over them
 * @param backendSampling greedy requests (temperature 0, no grammar, penalties or logprobs) get their tokens from
 *                    an argmax inside llama.cpp's graph, on the output layer's device, rather than from a scan of
 *                    the whole vocabulary's logits on the decode thread; other requests sample the logits as before,
 *                    in the same steps. The context is then reserved for one output per sequence, which also
 *                    shrinks its compute buffer (planned loads predict it). Default on.
 */
public record LoadOptions(int gpuLayers, int contextSize, int threads, long hostBytes, int sequences,
                          boolean prefixCache, boolean backendSampling) {
    /** Sequences when the options do not say: llama-server's default for parallel slots. */
    public static final int DEFAULT_SEQUENCES = 4;

    /** llama.cpp's limit on sequences per context (LLAMA_MAX_SEQ). */
    public static final int MAX_SEQUENCES = 256;

    /**
     * {@code gpuLayers} meaning "let the memory planner decide": layers, tensor split and overrides come
     * from the plan, and the model's memory is reserved in the engine's ledger.
     */
    public static final int PLANNED = -2;

    public LoadOptions {
        if (gpuLayers < PLANNED) {
            throw new IllegalArgumentException("gpuLayers must be -2 (planned), -1 (all), 0 or positive, not " + gpuLayers);
        }
        if (contextSize < 0 || threads < 1) {
            throw new IllegalArgumentException("contextSize must be >= 0 and threads >= 1");
        }
        if (hostBytes < 0) {
            throw new IllegalArgumentException("hostBytes must be >= 0 (0 = what the host has free), not " + hostBytes);
        }
        if (sequences < 1 || sequences > MAX_SEQUENCES) {
            throw new IllegalArgumentException("sequences must be between 1 and " + MAX_SEQUENCES + ", not " + sequences);
        }
    }

    /** With backend sampling. */
    public LoadOptions(int gpuLayers, int contextSize, int threads, long hostBytes, int sequences, boolean prefixCache) {
        this(gpuLayers, contextSize, threads, hostBytes, sequences, prefixCache, true);
    }

    /** Explicit layers, host RAM not limited by the options, {@value #DEFAULT_SEQUENCES} sequences. */
    public LoadOptions(int gpuLayers, int contextSize, int threads) {
        this(gpuLayers, contextSize, threads, 0, DEFAULT_SEQUENCES, true);
    }

    /** {@value #DEFAULT_SEQUENCES} sequences, prefix cache on. */
    public LoadOptions(int gpuLayers, int contextSize, int threads, long hostBytes) {
        this(gpuLayers, contextSize, threads, hostBytes, DEFAULT_SEQUENCES, true);
    }

    /** CPU only, context of min(4096, training context), all cores. */
    public static LoadOptions defaults() {
        return new LoadOptions(0, 0, Math.max(1, Runtime.getRuntime().availableProcessors()), 0, DEFAULT_SEQUENCES, true);
    }

    /** As {@link #defaults()}, placed by the memory planner ({@link #PLANNED}). */
    public static LoadOptions planned() {
        return defaults().withGpuLayers(PLANNED);
    }

    /** Whether the memory planner places the model. */
    public boolean isPlanned() {
        return gpuLayers == PLANNED;
    }

    public LoadOptions withGpuLayers(int n) {
        return new LoadOptions(n, contextSize, threads, hostBytes, sequences, prefixCache, backendSampling);
    }

    public LoadOptions withContextSize(int n) {
        return new LoadOptions(gpuLayers, n, threads, hostBytes, sequences, prefixCache, backendSampling);
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(gpuLayers, contextSize, n, hostBytes, sequences, prefixCache, backendSampling);
    }

    /** Planned mode: the host RAM the CPU part may take, in bytes (0 = what is free). */
    public LoadOptions withHostBytes(long bytes) {
        return new LoadOptions(gpuLayers, contextSize, threads, bytes, sequences, prefixCache, backendSampling);
    }

    /** Requests decoded together at most; more wait in the model's queue. */
    public LoadOptions withSequences(int n) {
        return new LoadOptions(gpuLayers, contextSize, threads, hostBytes, n, prefixCache, backendSampling);
    }

    /** Whether finished requests leave their KV cells for a later request with the same prefix (default on). */
    public LoadOptions withPrefixCache(boolean on) {
        return new LoadOptions(gpuLayers, contextSize, threads, hostBytes, sequences, on, backendSampling);
    }

    /** Whether greedy requests take their tokens from the graph's argmax (default on; see {@code backendSampling}). */
    public LoadOptions withBackendSampling(boolean on) {
        return new LoadOptions(gpuLayers, contextSize, threads, hostBytes, sequences, prefixCache, on);
    }
}
