package dev.strata.http.admin;

import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the memory planner put a loaded model: a layer range per device, the CPU's remainder, and why.
 *
 * <pre>{@code
 * {"layer_count": 32, "gpu_layers": 25, "cpu_layers": 8, "context_size": 8192,
 *  "devices": [{"device": "cuda0", "first_layer": 8, "end_layer": 32, "layers": 24, "output": true},
 *              {"device": "cpu", "first_layer": 0, "end_layer": 8, "layers": 8, "output": false}],
 *  "reason": "..."}
 * }</pre>
 *
 * @param layerCount  the model's layers
 * @param gpuLayers   llama.cpp's {@code n_gpu_layers} (the output layer counts as one)
 * @param cpuLayers   layers on the CPU
 * @param contextSize the context the placement is for
 * @param devices     each device holding layers or the output, GPUs first, the CPU last
 * @param reason      the planner's one-line why
 */
public record PlacementStatus(int layerCount, int gpuLayers, int cpuLayers, int contextSize, List<Layers> devices,
                              String reason) {

    /**
     * @param device     {@code cuda0} … or {@code cpu}
     * @param firstLayer first layer here (inclusive)
     * @param endLayer   end of the range (exclusive)
     * @param layers     {@code endLayer − firstLayer}
     * @param output     whether the output layer is here
     */
    public record Layers(String device, int firstLayer, int endLayer, int layers, boolean output) {}

    public static PlacementStatus of(Placement p) {
        List<Layers> devices = new ArrayList<>();
        List<DevicePlan> all = new ArrayList<>(p.gpus());
        all.add(p.host());
        for (DevicePlan d : all) {
            if (d.layerCount() > 0 || d.output()) {
                devices.add(new Layers(d.device().toString(), d.firstLayer(), d.endLayer(), d.layerCount(), d.output()));
            }
        }
        return new PlacementStatus(p.layerCount(), p.gpuLayers(), p.cpuLayers(), p.contextSize(), devices, p.reason());
    }
}
