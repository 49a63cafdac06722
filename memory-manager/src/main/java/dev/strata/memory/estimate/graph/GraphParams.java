package dev.strata.memory.estimate.graph;

import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.gguf.GgmlType;

/**
 * What the reserved graph depends on besides the model: tokens of the micro-batch and how many of them
 * are outputs (all of them, as llama.cpp reserves it, unless the context caps its outputs), KV cells the
 * attention sees (full and sliding-window caches), flash attention, the cache types, for an encoder the
 * pooling of its embeddings context, and the backend samplers the graph ends with.
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
 * @param outputs   rows of logits the reserved graph computes: min(n_ubatch, n_outputs_max), taken before
 *                  {@code tokens} is rounded up to a multiple of the sequences; the micro-batch unless the context
 *                  caps its outputs (Strata's contexts with backend sampling: one per sequence)
 * @param samplers  sequences with the bridge's greedy backend sampler (0 = none): build_sampling then adds a
 *                  padded copy of the logits, one argmax over its rows, and a view of it per sampler
 */
public record GraphParams(long tokens, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV,
                          int pooling, long sequences, LayerAssignment assignment, long outputs, int samplers) {

    public GraphParams {
        if (outputs < 1 || outputs > tokens || samplers < 0) {
            throw new IllegalArgumentException("need 1 <= outputs <= tokens and samplers >= 0: outputs " + outputs + ", tokens "
                    + tokens + ", samplers " + samplers);
        }
    }

    /** Every token an output, no backend samplers. */
    public GraphParams(long tokens, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV,
                       int pooling, long sequences, LayerAssignment assignment) {
        this(tokens, kvCells, swaCells, flash, typeK, typeV, pooling, sequences, assignment, tokens, 0);
    }

    /**
     * The micro-batch llama_context::graph_reserve builds for {@code ubatch} tokens of {@code sequences}
     * sequences: the tokens rounded up to a multiple of the sequences, the outputs counted before that.
     */
    public static GraphParams reserved(long ubatch, long kvCells, long swaCells, boolean flash, GgmlType typeK, GgmlType typeV,
                                       int pooling, long sequences, LayerAssignment assignment) {
        long seqs = Math.max(1, sequences);
        return new GraphParams((ubatch + seqs - 1) / seqs * seqs, kvCells, swaCells, flash, typeK, typeV, pooling, sequences,
                assignment, ubatch, 0);
    }

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
        return new GraphParams(tokens, kvCells, swaCells, flash, typeK, typeV, pooling, sequences, a, outputs, samplers);
    }

    /**
     * These parameters for a context with a greedy backend sampler on each of its {@code sequences}
     * (and so at most that many outputs per decode, which llama.cpp reserves for).
     */
    public GraphParams withBackendSampling() {
        return new GraphParams(tokens, kvCells, swaCells, flash, typeK, typeV, pooling, sequences, assignment,
                Math.min(outputs, sequences), (int) sequences);
    }
}
