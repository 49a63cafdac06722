package dev.strata.runtime;

/**
 * How {@link Engine#load} places and sizes a model. The memory planner arrives in a later release;
 * until then the number of GPU layers is explicit.
 *
 * <pre>{@code
 * LoadOptions cpu = LoadOptions.defaults();
 * LoadOptions gpu = LoadOptions.defaults().withGpuLayers(-1).withContextSize(8192);
 * }</pre>
 *
 * @param gpuLayers   layers on the GPU: 0 = none, -1 = all
 * @param contextSize KV-cache tokens; 0 = the smaller of 4096 and the model's training context
 * @param threads     CPU threads for generation and prompt processing
 */
public record LoadOptions(int gpuLayers, int contextSize, int threads) {
    public LoadOptions {
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("gpuLayers must be -1 (all), 0 or positive, not " + gpuLayers);
        }
        if (contextSize < 0 || threads < 1) {
            throw new IllegalArgumentException("contextSize must be >= 0 and threads >= 1");
        }
    }

    /** CPU only, context of min(4096, training context), all cores. */
    public static LoadOptions defaults() {
        return new LoadOptions(0, 0, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public LoadOptions withGpuLayers(int n) {
        return new LoadOptions(n, contextSize, threads);
    }

    public LoadOptions withContextSize(int n) {
        return new LoadOptions(gpuLayers, n, threads);
    }

    public LoadOptions withThreads(int n) {
        return new LoadOptions(gpuLayers, contextSize, n);
    }
}
