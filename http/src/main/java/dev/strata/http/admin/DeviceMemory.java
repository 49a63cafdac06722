package dev.strata.http.admin;

/**
 * What one loaded model holds on one device: the planner's estimate (planned loads) and what was
 * measured after load.
 *
 * <pre>{@code
 * DeviceMemory m = ModelMemory.of(model).get(0);
 * m.device();               // "cuda0"
 * m.estimated().total();    // predicted before the load
 * m.measured().total();     // free memory lost on the device (GPUs), llama.cpp's host buffers (CPU)
 * }</pre>
 *
 * @param device    {@code cuda0}, {@code cuda1}, … or {@code cpu}
 * @param estimated the placement's prediction; null when the model was loaded with explicit GPU layers
 * @param measured  what the model holds: llama.cpp's buffers on the device, plus on a GPU whatever else
 *                  the device lost during the load ({@code overhead}); null when nothing was measured
 */
public record DeviceMemory(String device, MemoryParts estimated, MemoryParts measured) {}
