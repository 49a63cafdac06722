package dev.strata.memory.estimate.graph;

import dev.strata.memory.gguf.GgmlType;

/**
 * What the reserved graph depends on besides the model: tokens of the micro-batch (all of them
 * outputs, as llama.cpp reserves it), KV cells the attention sees (full and sliding-window caches),
 * flash attention, and the cache types.
 *
 * @param tokens    n_tokens of the micro-batch
 * @param kvCells   n_kv of the full-attention cache (0 for models without a cache)
 * @param swaCells  n_kv of the sliding-window cache (0 when none)
 * @param flash     flash attention on
 * @param typeK     K cache type
 * @param typeV     V cache type
 */
public record GraphParams(long tokens, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV) {}
