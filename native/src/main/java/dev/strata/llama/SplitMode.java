package dev.strata.llama;

/** How a model is split across several GPUs (llama_split_mode). */
public enum SplitMode {
    /** Whole model on {@link ModelParams#mainGpu()}. */
    NONE,
    /** Contiguous layer ranges per GPU, in the proportions of {@link ModelParams#tensorSplit()}. */
    LAYER,
    /** Rows of each tensor across GPUs. */
    ROW,
    /** Tensor parallelism where the backend supports it. */
    TENSOR
}
