package dev.strata.runtime;

import dev.strata.memory.device.DeviceId;
import dev.strata.memory.plan.Placement;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of one model the registry knows: where it is, whether it is in memory, and what it holds.
 *
 * @param name           the id requests use
 * @param path           its GGUF file
 * @param options        how it loads
 * @param residency      in memory or not
 * @param pinned         never evicted
 * @param activeRequests queued and running requests
 * @param placement      the planner's placement while loaded (planned loads)
 * @param measuredBytes  bytes held per device, measured after load (planned loads)
 * @param idleNanos      how long since its last request (0 while not loaded)
 */
public record RegisteredModel(String name, Path path, LoadOptions options, Residency residency, boolean pinned,
                              int activeRequests, Optional<Placement> placement, Map<DeviceId, Long> measuredBytes,
                              long idleNanos) {}
