package dev.strata.http.openai;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models}: OpenAI's model objects, with Strata's view of each beside them.
 */
public record ModelList(String object, List<ModelObject> data) {
    /**
     * @param created      the file's modification time, in seconds since the epoch
     * @param loaded       whether it is in memory now
     * @param state        {@code not_loaded}, {@code loading} or {@code loaded}
     * @param file         the GGUF file's name
     * @param placement    while loaded by the planner: layers on the GPUs and on the CPU, context size
     * @param measuredBytes while loaded by the planner: bytes held per device ({@code cuda0}, {@code cpu})
     */
    public record ModelObject(String id, String object, long created, String ownedBy, boolean loaded, String state,
                              String file, Integer activeRequests, Placement placement, Map<String, Long> measuredBytes) {}

    public record Placement(int gpuLayers, int cpuLayers, int layerCount, int contextSize, List<String> devices,
                            String reason) {}
}
