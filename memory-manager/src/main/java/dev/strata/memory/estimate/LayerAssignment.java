package dev.strata.memory.estimate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which device each layer of a model lives on: contiguous layer ranges on GPUs, everything else on
 * the CPU, the output layer on one device, and tensor overrides that beat the layer placement. The
 * input layer (token embedding) is always on the CPU (llama-model.cpp, load_tensors: "there is very
 * little benefit to offloading the input layer"). A layer's KV cache lives where the layer does.
 *
 * <pre>{@code
 * // what llama.cpp does with n_gpu_layers = 33 and tensor_split = {3, 1} on a 32-layer model
 * LayerAssignment a = LayerAssignment.llamaCpp(32, 33, List.of("CUDA0", "CUDA1"), List.of(3f, 1f), List.of());
 * a.deviceOf(0);          // "CUDA0"
 * a.deviceOf(31);         // "CUDA1"
 * a.outputDevice();       // "CUDA1": the 33rd "layer"
 * }</pre>
 *
 * @param layerCount   n_layer_all of the model
 * @param gpuRanges    disjoint layer ranges on non-CPU devices; layers in none of them are on the CPU
 * @param outputDevice device of the output layer ({@code output_norm}, {@code output}, the tied copy)
 * @param overrides    tensor buffer overrides, first match wins
 */
public record LayerAssignment(int layerCount, List<DeviceRange> gpuRanges, String outputDevice,
                              List<BufferOverride> overrides) {
    /** ggml's name for the host device. */
    public static final String CPU = "CPU";

    public LayerAssignment {
        gpuRanges = List.copyOf(gpuRanges);
        Objects.requireNonNull(outputDevice, "outputDevice");
        overrides = List.copyOf(overrides);
        if (layerCount < 0) {
            throw new IllegalArgumentException("negative layer count " + layerCount);
        }
        List<DeviceRange> sorted = new ArrayList<>(gpuRanges);
        sorted.sort(Comparator.comparingInt(DeviceRange::first));
        int next = 0;
        for (DeviceRange r : sorted) {
            if (r.device().equals(CPU)) {
                throw new IllegalArgumentException("CPU is where unassigned layers go; it needs no range: " + r);
            }
            if (r.first() < next || r.end() > layerCount) {
                throw new IllegalArgumentException("range " + r + " overlaps another or passes layer " + layerCount);
            }
            next = r.end();
        }
    }

    /** Every layer and the output on the CPU, no overrides. */
    public static LayerAssignment cpuOnly(int layerCount) {
        return new LayerAssignment(layerCount, List.of(), CPU, List.of());
    }

    /**
     * The assignment llama.cpp makes for {@code n_gpu_layers} and {@code tensor_split} in layer split
     * mode (llama-model.cpp, load_tensors): the last {@code n_gpu_layers} of the {@code n_layer + 1}
     * layers, the output layer counting as the last, go to the GPUs,
     * {@code i_gpu_start = max(n_layer + 1 - n_gpu_layers, 0)}; layer {@code il} goes to the first GPU
     * whose cumulative, normalised split exceeds {@code (il - i_gpu_start) / act_gpu_layers}
     * ({@code std::upper_bound}, in float as there). For split mode NONE pass only the main GPU.
     *
     * @param layerCount  n_layer_all
     * @param gpuLayers   n_gpu_layers; negative means all ({@code n_layer + 1})
     * @param gpus        ggml names of the model's GPUs, in llama.cpp's device order; empty = CPU only
     * @param tensorSplit one proportion per GPU; llama.cpp uses free memory when all are zero, so pass that
     * @param overrides   tensor buffer overrides
     * @throws IllegalArgumentException if the split does not have one positive-sum entry per GPU
     */
    public static LayerAssignment llamaCpp(int layerCount, int gpuLayers, List<String> gpus, List<Float> tensorSplit,
                                           List<BufferOverride> overrides) {
        if (gpus.isEmpty()) {
            return new LayerAssignment(layerCount, List.of(), CPU, overrides);
        }
        if (tensorSplit.size() != gpus.size() || new LinkedHashSet<>(gpus).size() != gpus.size()) {
            throw new IllegalArgumentException(gpus.size() + " distinct GPUs need as many split entries, not " + tensorSplit);
        }
        float[] splits = new float[gpus.size()];
        float sum = 0f;
        for (int i = 0; i < splits.length; i++) {
            float f = tensorSplit.get(i);
            if (!(f >= 0f) || Float.isInfinite(f)) {
                throw new IllegalArgumentException("split entries must be finite and >= 0: " + tensorSplit);
            }
            sum += f;
            splits[i] = sum;
        }
        if (!(sum > 0f)) {
            throw new IllegalArgumentException("all split entries are zero; llama.cpp then splits by free memory:"
                    + " pass each GPU's free bytes as its proportion");
        }
        for (int i = 0; i < splits.length; i++) {
            splits[i] /= sum;
        }

        int nGpuLayers = gpuLayers < 0 ? layerCount + 1 : gpuLayers;
        int start = Math.max(layerCount + 1 - nGpuLayers, 0);
        int active = Math.min(nGpuLayers, layerCount + 1);

        List<DeviceRange> ranges = new ArrayList<>();
        String current = null;
        int runStart = 0;
        for (int il = 0; il <= layerCount; il++) {
            String device = il < start || il - start >= active ? CPU : gpus.get(upperBound(splits, (float) (il - start) / active));
            if (il == layerCount) {
                if (current != null && !current.equals(CPU)) {
                    ranges.add(new DeviceRange(current, runStart, il));
                }
                return new LayerAssignment(layerCount, ranges, device, overrides);
            }
            if (!device.equals(current)) {
                if (current != null && !current.equals(CPU)) {
                    ranges.add(new DeviceRange(current, runStart, il));
                }
                current = device;
                runStart = il;
            }
        }
        throw new AssertionError("unreachable");
    }

    /** {@code std::upper_bound}: the first index whose value is greater than {@code x}. */
    private static int upperBound(float[] sorted, float x) {
        int i = 0;
        while (i < sorted.length && !(sorted[i] > x)) {
            i++;
        }
        return Math.min(i, sorted.length - 1); // llama.cpp would index past the end; cannot happen as x < 1
    }

    /** The device of layer {@code layer}; {@code layerCount} names the output layer. */
    public String deviceOf(int layer) {
        if (layer == layerCount) {
            return outputDevice;
        }
        if (layer < 0 || layer > layerCount) {
            throw new IndexOutOfBoundsException("layer " + layer + " of " + layerCount);
        }
        for (DeviceRange r : gpuRanges) {
            if (r.contains(layer)) {
                return r.device();
            }
        }
        return CPU;
    }

    /** The device an override sends {@code tensorName} to, or null if none matches. */
    public String overrideFor(String tensorName) {
        for (BufferOverride o : overrides) {
            if (o.matches(tensorName)) {
                return o.device();
            }
        }
        return null;
    }

    /** Every device this assignment uses, the CPU first. */
    public Set<String> devices() {
        Set<String> out = new LinkedHashSet<>();
        out.add(CPU);
        gpuRanges.forEach(r -> out.add(r.device()));
        out.add(outputDevice);
        overrides.forEach(o -> out.add(o.device()));
        return out;
    }

    /** This assignment with other overrides. */
    public LayerAssignment withOverrides(List<BufferOverride> newOverrides) {
        return new LayerAssignment(layerCount, gpuRanges, outputDevice, newOverrides);
    }
}
