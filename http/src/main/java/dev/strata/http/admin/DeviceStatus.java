package dev.strata.http.admin;

import java.util.Map;

/**
 * One device as {@code GET /admin/devices} lists it: its memory now and what Strata holds there.
 *
 * <pre>{@code
 * {"device": "cuda0", "name": "NVIDIA H100 80GB HBM3", "total_bytes": 85029158912, "free_bytes": 78000000000,
 *  "reserve_bytes": 1073741824, "cap_bytes": null, "held_bytes": 6500000000, "held_by": {"llama": 6500000000}}
 * }</pre>
 *
 * @param device       {@code cuda0} … or {@code cpu}
 * @param name         the driver's name for it
 * @param totalBytes   all its memory (RAM for the CPU)
 * @param freeBytes    free now (for the CPU: MemAvailable)
 * @param reserveBytes kept free by planned loads for what no estimate counts
 * @param capBytes     the most all planned models together may hold here; null for no cap
 * @param heldBytes    what the engine's ledger holds here for all models (measured figures once loaded)
 * @param heldBy       the same per model id (models the registry does not name appear by ledger id)
 */
public record DeviceStatus(String device, String name, long totalBytes, long freeBytes, long reserveBytes, Long capBytes,
                           long heldBytes, Map<String, Long> heldBy) {}
