package dev.strata.memory.estimate;

import dev.strata.memory.estimate.graph.ComputeAllocator;
import dev.strata.memory.estimate.graph.GraphParams;
import dev.strata.memory.estimate.graph.TransformerGraph;
import dev.strata.memory.shape.AttentionLayer;
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.WeightTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compute (scratch) buffer bytes per device: what llama.cpp's graph allocator reserves for the
 * largest micro-batch. An upper envelope, not yet exact.
 *
 * <p>Measured on llama.cpp 0.5.0 dry runs (CPU): the buffer is exactly linear in the micro-batch,
 * and per token it is the largest of three phases of the graph, plus the KQ mask that lives
 * throughout:
 * <ul>
 *   <li>attention without flash attention: {@code n_head · n_kv} scores, plus about
 *       {@code 5 · n_embd + 2 · n_embd_kv} live activations (exact for Llama shapes);</li>
 *   <li>feed-forward: at most {@code 3 · n_ff + 4 · n_embd} (exact at Llama-3 8B's ratio, up to 12%
 *       high for other ratios, where the allocator reuses more);</li>
 *   <li>output: {@code n_vocab} logits plus at most {@code 5 · n_embd + 2 · n_embd_kv};</li>
 *   <li>mask: {@code n_kv} floats, or half as many (F16) with flash attention.</li>
 * </ul>
 * Each device that computes layers gets the whole envelope. Exactness needs a simulation of
 * ggml-alloc over each architecture's graph; until then the planner errs high, never low.
 *
 * <pre>{@code
 * ComputeEstimate c = ComputeEstimate.of(shape, assignment, kvParams, kvEstimate);
 * c.bytesOn("CUDA0");
 * }</pre>
 *
 * @param bytesPerToken envelope per token of the micro-batch, in bytes
 * @param bytesByDevice bytes per ggml device name
 */
public record ComputeEstimate(long bytesPerToken, Map<String, Long> bytesByDevice) {

    public ComputeEstimate {
        bytesByDevice = Collections.unmodifiableMap(new LinkedHashMap<>(bytesByDevice));
    }

    /** The envelope for every device of the assignment (each holds a layer, the output or the input). */
    public static ComputeEstimate of(ModelShape shape, LayerAssignment assignment, KvCacheParams params,
                                     KvCacheEstimate kv) {
        return of(perToken(shape, params, kv), kv.context().microBatch(), assignment);
    }

    /**
     * As {@link #of(ModelShape, LayerAssignment, KvCacheParams, KvCacheEstimate)} with the per-token
     * envelope already known: it depends on the shape and the context, not on the placement, so a
     * planner trying many placements computes it once.
     */
    public static ComputeEstimate of(long bytesPerToken, int microBatch, LayerAssignment assignment) {
        long bytes = bytesPerToken * microBatch;
        Map<String, Long> byDevice = new LinkedHashMap<>();
        for (String device : assignment.devices()) {
            byDevice.put(device, bytes);
        }
        return new ComputeEstimate(bytesPerToken, byDevice);
    }

    /** Envelope bytes per token of the micro-batch for this shape and context. */
    public static long perToken(ModelShape shape, KvCacheParams params, KvCacheEstimate kv) {
        if (TransformerGraph.supports(shape)) {
            int ubatch = kv.context().microBatch();
            // An encoder is run for its embeddings, pooled as its file says (what a context that leaves pooling
            // unspecified does); a decoder's graph has no pooling.
            boolean encoder = shape.rules().memory() == MemoryKind.NONE;
            int pooling = encoder ? Math.max(GraphParams.POOLING_NONE, shape.poolingType()) : GraphParams.POOLING_NONE;
            GraphParams gp = new GraphParams(ubatch, kv.cells(), kv.swaCells(),
                    params.flashAttention() == FlashAttention.ENABLED, params.typeK(), params.typeV(), pooling,
                    params.sequences());
            long bytes = ComputeAllocator.peakBytes(TransformerGraph.build(shape, gp), 32);
            return (bytes + ubatch - 1) / ubatch;
        }
        Dims d = Dims.of(shape, params, kv);
        return 4 * d.peakFloats();
    }

    /** The dimensions the phases are made of, for diagnostics. */
    public static String describe(ModelShape shape, KvCacheParams params, KvCacheEstimate kv) {
        return Dims.of(shape, params, kv).toString();
    }

    record Dims(String arch, long embd, long vocab, long ff, long heads, long qWidth, long kvWidth, long nKv,
                long masks, boolean flash) {
        static Dims of(ModelShape shape, KvCacheParams params, KvCacheEstimate kv) {
            long embd = dim(shape, "token_embd.weight", 0);
            long vocab = shape.architecture().contains("bert") ? 0 : dim(shape, "token_embd.weight", 1);
            long ff = 0;
            long kvWidth = 0;
            long qWidth = 0;
            boolean swa = false;
            for (int il = 0; il < shape.layerCount(); il++) {
                ff = Math.max(ff, Math.max(dim(shape, "blk." + il + ".ffn_up.weight", 1), dim(shape, "blk." + il + ".ffn_gate.weight", 1)));
                ff = Math.max(ff, dim(shape, "blk." + il + ".ffn_up_exps.weight", 1) * Math.max(1, shape.expertUsedCount()));
                AttentionLayer a = shape.attention().layers().get(il);
                kvWidth = Math.max(kvWidth, a.keyWidth());
                qWidth = Math.max(qWidth, dim(shape, "blk." + il + ".attn_q.weight", 1));
                swa |= a.slidingWindow();
            }
            long heads = ComputeEstimate.heads(shape, embd);
            long nKv = kv.cells() > 0 ? kv.cells() : kv.context().microBatch();
            return new Dims(shape.architecture(), embd, vocab, ff, heads, qWidth, kvWidth, nKv, swa ? 2 : 1,
                    params.flashAttention() == FlashAttention.ENABLED);
        }

        long peakFloats() {
            long mask = flash ? masks * ((nKv + 1) / 2) : masks * nKv;
            long attention = flash ? 0 : heads * nKv + mask + 3 * embd + 2 * qWidth + 2 * kvWidth + 5;
            long feedForward = flash ? 3 * ff + 4 * embd + mask + 7 : 3 * ff + 4 * embd + 2 * kvWidth + mask + 5;
            long output = vocab + 2 * embd + 1;
            return Math.max(attention, Math.max(feedForward, output));
        }
    }

    /** Query heads: from MLA's per-head K projection, else the attention output's width, else n_embd / head size. */
    private static long heads(ModelShape shape, long embd) {
        long mla = dim(shape, "blk.0.attn_k_b.weight", 2);
        if (mla > 0) {
            return mla;
        }
        if (shape.attention().layers().isEmpty()) {
            return 0;
        }
        long headV = shape.attention().layers().get(0).headDimV();
        long headK = shape.attention().layers().get(0).headDimK();
        long out = dim(shape, "blk.0.attn_output.weight", 0);
        if (out > 0 && headV > 0) {
            return Math.max(1, out / headV);
        }
        return headK > 0 ? Math.max(1, embd / headK) : 0;
    }

    private static long dim(ModelShape shape, String tensor, int index) {
        return shape.tensor(tensor).map(WeightTensor::info)
                .filter(i -> i.nDims() > index).map(i -> i.dim(index)).orElse(0L);
    }

    public long bytesOn(String device) {
        return bytesByDevice.getOrDefault(device, 0L);
    }
}
