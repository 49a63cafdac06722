package dev.strata.llama;

import java.util.Objects;

/**
 * Puts every tensor whose name matches {@code pattern} (a C++ {@code std::regex}, searched) into the
 * buffers of {@code device}, overriding the layer placement: the way MoE experts stay on the CPU
 * while their layers' attention runs on a GPU.
 *
 * <pre>{@code
 * new TensorOverride("blk\\.\\d+\\.ffn_(up|down|gate)_exps", "CPU")
 * }</pre>
 *
 * @param pattern regex over GGUF tensor names
 * @param device  a ggml device name from {@link LlamaBackend#devices()}: "CPU", "CUDA0", ...
 */
public record TensorOverride(String pattern, String device) {
    public TensorOverride {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(device, "device");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("empty tensor override pattern");
        }
    }
}
