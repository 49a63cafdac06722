package dev.strata.llama;

import java.util.List;
import java.util.Objects;

/**
 * How llama.cpp loads a model (llama_model_params): the placement the memory planner decided, and
 * how the file is read.
 *
 * <pre>{@code
 * ModelParams cpuOnly = ModelParams.defaults();                  // no layers on a GPU
 * ModelParams allOnGpu = ModelParams.defaults().withGpuLayers(-1);
 * ModelParams dryRun = allOnGpu.withNoAlloc(true);               // sizes only, no memory taken
 * }</pre>
 *
 * @param gpuLayers       layers to place on GPUs; 0 = none, -1 = all (llama.cpp counts the output layer as one more)
 * @param splitMode       how layers are spread over several GPUs
 * @param mainGpu         GPU index (among GPUs) used with {@link SplitMode#NONE}
 * @param tensorSplit     proportion per GPU for {@link SplitMode#LAYER}/{@link SplitMode#ROW}; empty = by free memory
 * @param tensorOverrides buffer overrides by tensor-name pattern, applied before layer placement
 * @param useMmap         map the file instead of reading it into allocated memory
 * @param useMlock        lock the model's host pages in RAM
 * @param vocabOnly       load only the vocabulary (tokenizer), no weights
 * @param noAlloc         dry run: read metadata and size every buffer without allocating or reading tensor data
 */
public record ModelParams(int gpuLayers, SplitMode splitMode, int mainGpu, List<Float> tensorSplit,
                          List<TensorOverride> tensorOverrides, boolean useMmap, boolean useMlock,
                          boolean vocabOnly, boolean noAlloc) {

    public ModelParams {
        Objects.requireNonNull(splitMode, "splitMode");
        tensorSplit = List.copyOf(tensorSplit);
        tensorOverrides = List.copyOf(tensorOverrides);
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("gpuLayers must be -1 (all), 0 (none) or a positive count, not " + gpuLayers);
        }
        if (mainGpu < 0) {
            throw new IllegalArgumentException("mainGpu must be >= 0, not " + mainGpu);
        }
        for (Float f : tensorSplit) {
            if (f == null || !(f >= 0f) || f.isInfinite()) {
                throw new IllegalArgumentException("tensorSplit entries must be finite and >= 0: " + tensorSplit);
            }
        }
    }

    /** CPU only, memory-mapped, everything else as llama.cpp defaults it. */
    public static ModelParams defaults() {
        return new ModelParams(0, SplitMode.LAYER, 0, List.of(), List.of(), true, false, false, false);
    }

    public ModelParams withGpuLayers(int layers) {
        return new ModelParams(layers, splitMode, mainGpu, tensorSplit, tensorOverrides, useMmap, useMlock, vocabOnly, noAlloc);
    }

    public ModelParams withSplit(SplitMode mode, int main, List<Float> split) {
        return new ModelParams(gpuLayers, mode, main, split, tensorOverrides, useMmap, useMlock, vocabOnly, noAlloc);
    }

    public ModelParams withTensorOverrides(List<TensorOverride> overrides) {
        return new ModelParams(gpuLayers, splitMode, mainGpu, tensorSplit, overrides, useMmap, useMlock, vocabOnly, noAlloc);
    }

    public ModelParams withMmap(boolean mmap, boolean mlock) {
        return new ModelParams(gpuLayers, splitMode, mainGpu, tensorSplit, tensorOverrides, mmap, mlock, vocabOnly, noAlloc);
    }

    public ModelParams withVocabOnly(boolean only) {
        return new ModelParams(gpuLayers, splitMode, mainGpu, tensorSplit, tensorOverrides, useMmap, useMlock, only, noAlloc);
    }

    public ModelParams withNoAlloc(boolean dryRun) {
        return new ModelParams(gpuLayers, splitMode, mainGpu, tensorSplit, tensorOverrides, useMmap, useMlock, vocabOnly, dryRun);
    }

    /** llama_load_mode: 0 none, 1 mmap, 2 mlock, 3 mmap + mlock. */
    int loadMode() {
        return (useMmap ? 1 : 0) | (useMlock ? 2 : 0);
    }
}
