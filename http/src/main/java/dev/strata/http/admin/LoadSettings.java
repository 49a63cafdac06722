package dev.strata.http.admin;

import dev.strata.runtime.LoadOptions;

/**
 * A model's load options as the administration routes show and take them (JSON in snake_case).
 *
 * <pre>{@code
 * {"gpu_layers": "planned", "context_size": 8192, "sequences": 8, "threads": 16, "host_bytes": 0, "prefix_cache": true}
 * }</pre>
 *
 * @param gpuLayers   {@code "planned"} (the memory planner places it), {@code "all"}, or a number of layers
 * @param contextSize KV cells; 0 = the smaller of 4096 and the model's training context
 * @param sequences   requests decoded together at most
 * @param threads     CPU threads
 * @param hostBytes   planned loads: host RAM the CPU part may take; 0 = what is free
 * @param prefixCache keep finished requests' KV cells for later prompts with the same prefix
 */
public record LoadSettings(String gpuLayers, int contextSize, int sequences, int threads, long hostBytes,
                           boolean prefixCache) {

    public static LoadSettings of(LoadOptions o) {
        String layers = o.isPlanned() ? "planned" : o.gpuLayers() == -1 ? "all" : Integer.toString(o.gpuLayers());
        return new LoadSettings(layers, o.contextSize(), o.sequences(), o.threads(), o.hostBytes(), o.prefixCache());
    }
}
