package dev.strata.memory.plan;

import dev.strata.memory.estimate.BufferOverride;
import java.util.List;

/**
 * Where a model goes: per device a contiguous layer range and its predicted bytes, and the
 * llama.cpp parameters that produce exactly that layout.
 *
 * <pre>{@code
 * if (Planner.plan(shape, gpus, request) instanceof Placement p) {
 *     params = ModelParams.defaults().withGpuLayers(p.gpuLayers()).withSplit(LAYER, 0, p.tensorSplit());
 * }
 * }</pre>
 *
 * @param gpus          one entry per GPU, in ggml's device order (unused GPUs hold nothing)
 * @param host          the CPU's share: remaining layers, token embedding, their KV and compute
 * @param gpuLayers     llama.cpp's {@code n_gpu_layers} (counts the output layer as one)
 * @param tensorSplit   llama.cpp's {@code tensor_split}, one proportion per GPU
 * @param overrides     tensor buffer overrides (MoE experts kept on the CPU)
 * @param contextSize   the context the placement is for (smaller than asked only if it had to shrink)
 * @param layerCount    layers of the model
 * @param reason        why this placement, in one line
 */
public record Placement(List<DevicePlan> gpus, DevicePlan host, int gpuLayers, List<Float> tensorSplit,
                        List<BufferOverride> overrides, int contextSize, int layerCount, String reason)
        implements PlanResult {
    public Placement {
        gpus = List.copyOf(gpus);
        tensorSplit = List.copyOf(tensorSplit);
        overrides = List.copyOf(overrides);
    }

    /** Layers on the CPU. */
    public int cpuLayers() {
        return layerCount - gpus.stream().mapToInt(DevicePlan::layerCount).sum();
    }

    /** Weights and KV bytes placed on GPUs (what offload buys). */
    public long gpuBytes() {
        return gpus.stream().mapToLong(d -> d.weightBytes() + d.kvBytes()).sum();
    }
}
