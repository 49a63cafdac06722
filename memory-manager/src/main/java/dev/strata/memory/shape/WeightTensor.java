package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgufTensorInfo;
import java.util.Objects;

/**
 * One weight tensor of a model, with where llama.cpp puts it.
 *
 * <pre>{@code
 * WeightTensor t = TensorNames.classify(gguf.tensor("blk.0.attn_q.weight"));
 * t.placement();   // LAYER
 * t.layer();       // 0
 * t.bytes();       // bytes in the file, before any buffer padding
 * }</pre>
 *
 * @param info            name, type and dimensions as stored in the GGUF file
 * @param placement       input, repeating layer or output
 * @param layer           the layer for {@link TensorPlacement#LAYER}; -1 otherwise
 * @param group           what the tensor is for
 * @param copiedPerDevice true for tensors that every layer references, such as {@code rope_freqs}: llama.cpp
 *                        creates them for layer 0 and, flagged {@code TENSOR_DUPLICATED}, once more in each other
 *                        buffer type that holds a layer (src/models/llama.cpp, load_arch_tensors)
 * @param loaded          false for tensors llama.cpp reads but never allocates: the multi-token-prediction
 *                        layers, which it skips unless {@code load_mtp} is set (src/models/deepseek2.cpp,
 *                        {@code mtp_flags |= TENSOR_SKIP})
 */
public record WeightTensor(GgufTensorInfo info, TensorPlacement placement, int layer, TensorGroup group,
                           boolean copiedPerDevice, boolean loaded) {

    public WeightTensor {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(group, "group");
        if ((placement == TensorPlacement.LAYER) != (layer >= 0)) {
            throw new IllegalArgumentException(info.name() + ": layer " + layer + " does not fit placement " + placement);
        }
    }

    /** The tensor's name. */
    public String name() {
        return info.name();
    }

    /** Bytes of data in the file ({@code ggml_nbytes}), before any buffer's padding. */
    public long bytes() {
        return info.byteSize();
    }

    /** This tensor marked as not allocated by llama.cpp. */
    WeightTensor notLoaded() {
        return new WeightTensor(info, placement, layer, group, copiedPerDevice, false);
    }
}
