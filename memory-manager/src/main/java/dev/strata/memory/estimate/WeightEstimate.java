package dev.strata.memory.estimate;

import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.WeightTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The weight bytes llama.cpp allocates on each device for a model and a layer assignment: what its
 * dry run reports as model bytes ({@code llama_model::memory_breakdown}), summed per device.
 *
 * <p>Rules (src/llama-model.cpp load_tensors; src/llama-model-loader.cpp create_tensor):
 * <ol>
 *   <li>an override whose pattern matches the tensor name wins;
 *   <li>else input-layer tensors go to the CPU, output-layer tensors to the output device, layer
 *       tensors to their layer's device;
 *   <li>tensors every layer references ({@code rope_freqs}) exist once per device holding layers;
 *   <li>a tied LM head is a second copy of {@code token_embd} on the output device when that is not the
 *       CPU, or on the CPU when CPU_REPACK takes it ({@link CpuRepack});
 *   <li>multi-token-prediction layers are not allocated;
 *   <li>each tensor is sized by its device's {@link BufferRules}.
 * </ol>
 *
 * <pre>{@code
 * ModelShape shape = ModelShape.of(gguf);
 * LayerAssignment half = LayerAssignment.llamaCpp(shape.layerCount(), 16, List.of("CUDA0"), List.of(1f), List.of());
 * WeightEstimate w = WeightEstimate.of(shape, half, CpuRepack.NONE);
 * w.bytesOn("CUDA0");    // 16 layers (or 15 and the output layer), padded for CUDA
 * w.bytesOn("CPU");      // the rest, and the token embedding
 * }</pre>
 *
 * @param bytesByDevice bytes per ggml device name, the CPU first; every device of the assignment appears
 */
public record WeightEstimate(Map<String, Long> bytesByDevice) {

    public WeightEstimate {
        bytesByDevice = Collections.unmodifiableMap(new LinkedHashMap<>(bytesByDevice));
    }

    /**
     * Weight bytes per device. Pure: reads nothing but its arguments.
     *
     * @param repack what the host's CPU backend repacks; {@link CpuRepack#NONE} for a CUDA build
     * @throws IllegalArgumentException if the assignment is for another layer count
     */
    public static WeightEstimate of(ModelShape shape, LayerAssignment assignment, CpuRepack repack) {
        if (assignment.layerCount() != shape.layerCount()) {
            throw new IllegalArgumentException("assignment for " + assignment.layerCount() + " layers, model has "
                    + shape.layerCount());
        }
        Map<String, Long> bytes = new LinkedHashMap<>();
        assignment.devices().forEach(d -> bytes.put(d, 0L));

        for (WeightTensor t : shape.tensors()) {
            if (!t.loaded()) {
                continue;
            }
            String override = assignment.overrideFor(t.name());
            if (t.copiedPerDevice()) {
                Set<String> devices = new LinkedHashSet<>();
                if (override != null) {
                    devices.add(override);
                } else {
                    for (int il = 0; il < shape.computeLayerCount(); il++) {
                        devices.add(assignment.deviceOf(il));
                    }
                }
                devices.forEach(d -> add(bytes, d, t.info()));
                continue;
            }
            String device = override != null ? override : switch (t.placement()) {
                case INPUT -> LayerAssignment.CPU;
                case OUTPUT -> assignment.outputDevice();
                case LAYER -> assignment.deviceOf(t.layer());
            };
            add(bytes, device, t.info());
        }

        if (shape.tiedOutput()) {
            Optional<WeightTensor> embedding = shape.tensor("token_embd.weight");
            if (embedding.isPresent()) {
                GgufTensorInfo info = embedding.get().info();
                // The copy is created under the embedding's own name, so the same override applies to it.
                String override = assignment.overrideFor(info.name());
                String inputDevice = override != null ? override : LayerAssignment.CPU;
                String outputDevice = override != null ? override : assignment.outputDevice();
                boolean copy = !outputDevice.equals(inputDevice)
                        || outputDevice.equals(LayerAssignment.CPU) && info.nDims() == 2 && repack.repacks(info.type(), info.dim(1));
                if (copy) {
                    add(bytes, outputDevice, info);
                }
            }
        }
        return new WeightEstimate(bytes);
    }

    private static void add(Map<String, Long> bytes, String device, GgufTensorInfo info) {
        long size = BufferRules.forDevice(device).allocBytes(info.type(), info.dim(0), info.elementCount());
        bytes.merge(device, size, Long::sum);
    }

    /** Bytes on {@code device}; 0 for a device this estimate does not use. */
    public long bytesOn(String device) {
        return bytesByDevice.getOrDefault(device, 0L);
    }

    /** Bytes on all devices together. */
    public long totalBytes() {
        return bytesByDevice.values().stream().mapToLong(Long::longValue).sum();
    }
}
