package dev.strata.memory.estimate.graph;

import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.gguf.GgmlType;

/**
 * What the reserved graph depends on besides the model: tokens of the micro-batch (all of them
 * outputs, as llama.cpp reserves it), KV cells the attention sees (full and sliding-window caches),
 * flash attention, the cache types, and for an encoder the pooling of its embeddings context.
 *
 * @param tokens    n_tokens of the micro-batch
 * @param kvCells   n_kv of the full-attention cache (0 for models without a cache)
 * @param swaCells  n_kv of the sliding-window cache (0 when none)
 * @param flash     flash attention on
 * @param typeK     K cache type
 * @param typeV     V cache type
 * @param pooling   llama_pooling_type of the context (0 none, 1 mean, 2 CLS, 3 last, 4 rank); build_pooling
 *                  adds nothing unless the context computes embeddings, so 0 for a decoder
 * @param sequences n_seq_max: the reserved micro-batch has this many sequences, one pooled row each
 * @param assignment where weights and KV cache live (null: everything on the CPU)
 */
public record GraphParams(long tokens, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV,
                          int pooling, long sequences, LayerAssignment assignment) {

    public static final int POOLING_NONE = 0;
    public static final int POOLING_MEAN = 1;
    public static final int POOLING_CLS = 2;
    public static final int POOLING_LAST = 3;
    public static final int POOLING_RANK = 4;

    /** A context without embeddings: no pooling. */
    public GraphParams(long tokens, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV) {
        this(tokens, kvCells, swaCells, flash, typeK, typeV, POOLING_NONE, 1, null);
    }

    public GraphParams(long tokens, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV,
                       int pooling, long sequences) {
        this(tokens, kvCells, swaCells, flash, typeK, typeV, pooling, sequences, null);
    }

    /** These parameters with weights and cache placed as {@code a} places them. */
    public GraphParams with(LayerAssignment a) {
        return new GraphParams(tokens, kvCells, swaCells, flash, typeK, typeV, pooling, sequences, a);
    }
}
