package dev.strata.http.admin;

import java.util.List;

/**
 * One model as {@code GET /admin/models} lists it (JSON in snake_case).
 *
 * <pre>{@code
 * {"id": "stories", "state": "loaded", "pinned": false, "active_requests": 0, "running_sequences": 0,
 *  "context_size": 512, "sequences": 4, "kv_cells_used": 40, "idle_seconds": 3.2,
 *  "options": {...}, "placement": {...}, "memory": [{"device": "cpu", "estimated": {...}, "measured": {...}}]}
 * }</pre>
 *
 * @param id               the name requests use
 * @param path             its GGUF file
 * @param state            {@code not_loaded}, {@code loading} or {@code loaded}
 * @param pinned           never evicted
 * @param activeRequests   requests queued or running
 * @param runningSequences sequences in the current decode step (null while not loaded)
 * @param contextSize      KV cells of the loaded context (null while not loaded)
 * @param sequences        requests decoded together at most (null while not loaded)
 * @param kvCellsUsed      KV cells holding tokens (null while not loaded)
 * @param idleSeconds      since its last request (0 while not loaded)
 * @param options          how it loads
 * @param placement        where the memory planner put it (null unless loaded as planned)
 * @param memory           per device, estimated and measured bytes (empty while not loaded)
 */
public record ModelStatus(String id, String path, String state, boolean pinned, int activeRequests,
                          Integer runningSequences, Integer contextSize, Integer sequences, Integer kvCellsUsed,
                          double idleSeconds, LoadSettings options, PlacementStatus placement,
                          List<DeviceMemory> memory) {}
