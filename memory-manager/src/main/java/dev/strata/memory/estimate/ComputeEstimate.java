package dev.strata.memory.estimate;

import dev.strata.memory.estimate.graph.ComputeAllocator;
import dev.strata.memory.estimate.graph.GraphParams;
import dev.strata.memory.estimate.graph.GraphScheduler;
import dev.strata.memory.estimate.graph.TransformerGraph;
import dev.strata.memory.shape.AttentionLayer;
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.WeightTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compute (scratch) buffer bytes per device: what llama.cpp's graph allocator reserves for the
 * largest micro-batch.
 *
 * <p>For the architectures {@link TransformerGraph} models (llama, mistral, mixtral, qwen2, qwen3,
 * qwen3moe, gemma2, gemma3, phi3, deepseek2, gpt-oss, bert) the figure is not a formula: the graph
 * llama.cpp reserves is rebuilt tensor by tensor and ggml-alloc's allocator is replayed over it
 * ({@link ComputeAllocator}), which gives llama.cpp's own CPU figure to the byte. Other architectures
 * get an envelope by phases (attention scores, feed-forward, logits) with a 10% margin, erring high.
 *
 * <p>Spread over GPUs and the CPU, the graph is also split the way ggml's scheduler splits it
 * ({@link GraphScheduler}): each backend gets its own buffer, with the inputs that stay on the host,
 * the copies between backends and, for large batches, the CPU layers' weights copied to the first GPU
 * (op offload). Without a graph model every device is given the whole envelope.
 *
 * <pre>{@code
 * ComputeEstimate c = ComputeEstimate.of(shape, assignment, kvParams, kvEstimate);
 * c.bytesOn("CUDA0");
 * }</pre>
 *
 * @param bytes         the largest compute buffer of one device, in bytes
 * @param simulated     whether {@code bytes} comes from the replayed allocator rather than the envelope
 * @param bytesByDevice bytes per ggml device name
 */
public record ComputeEstimate(long bytes, boolean simulated, Map<String, Long> bytesByDevice) {

    public ComputeEstimate {
        bytesByDevice = Collections.unmodifiableMap(new LinkedHashMap<>(bytesByDevice));
    }

    /** The buffers of the devices of the assignment, its GPUs being the machine's GPUs. */
    public static ComputeEstimate of(ModelShape shape, LayerAssignment assignment, KvCacheParams params,
                                     KvCacheEstimate kv) {
        List<String> gpus = assignment.devices().stream().filter(d -> !d.equals(LayerAssignment.CPU)).sorted().toList();
        return of(shape, assignment, params, kv, gpus);
    }

    /**
     * The compute buffer of every device of the assignment on a machine with these GPUs (in llama.cpp's
     * order): replayed per device where the architecture has a graph model, else the envelope on each.
     */
    public static ComputeEstimate of(ModelShape shape, LayerAssignment assignment, KvCacheParams params,
                                     KvCacheEstimate kv, List<String> gpus) {
        Map<String, Long> buffers = buffers(shape, params, kv, assignment, gpus);
        if (buffers == null) {
            return of(shape, bytes(shape, params, kv), assignment);
        }
        Map<String, Long> byDevice = new LinkedHashMap<>();
        for (String device : assignment.devices()) {
            byDevice.put(device, buffers.getOrDefault(device, 0L));
        }
        buffers.forEach(byDevice::putIfAbsent);
        return new ComputeEstimate(buffers.values().stream().mapToLong(Long::longValue).max().orElse(0), true, byDevice);
    }

    /**
     * As {@link #of(ModelShape, LayerAssignment, KvCacheParams, KvCacheEstimate)} with the bytes already
     * known: they depend on the shape and the context, not on the placement, so a planner trying many
     * placements computes them once.
     */
    public static ComputeEstimate of(ModelShape shape, long bytes, LayerAssignment assignment) {
        Map<String, Long> byDevice = new LinkedHashMap<>();
        for (String device : assignment.devices()) {
            byDevice.put(device, bytes);
        }
        return new ComputeEstimate(bytes, TransformerGraph.supports(shape), byDevice);
    }

    /** Compute buffer bytes of one device for this shape and context. */
    public static long bytes(ModelShape shape, KvCacheParams params, KvCacheEstimate kv) {
        int ubatch = kv.context().microBatch();
        if (TransformerGraph.supports(shape)) {
            // An encoder is run for its embeddings, pooled as its file says (what a context that leaves pooling
            // unspecified does); a decoder's graph has no pooling.
            boolean encoder = shape.rules().memory() == MemoryKind.NONE;
            int pooling = encoder ? Math.max(GraphParams.POOLING_NONE, shape.poolingType()) : GraphParams.POOLING_NONE;
            try {
                boolean flash = flashAttention(shape, params, kv, LayerAssignment.cpuOnly(shape.layerCount()), List.of());
                GraphParams gp = sampling(shape, params, GraphParams.reserved(ubatch, kv.cells(), kv.swaCells(), flash,
                        params.typeK(), params.typeV(), pooling, params.sequences(), null));
                return ComputeAllocator.peakBytes(TransformerGraph.build(shape, gp), CPU_ALIGNMENT);
            } catch (RuntimeException malformed) {
                unreplayable(shape, malformed);
            }
        }
        long perToken = 4 * Envelope.of(shape, params, kv).floatsPerToken();
        return (perToken + perToken / 10) * ubatch;
    }

    /**
     * Compute buffer bytes per device ("CPU": the host buffer) with weights and cache placed by
     * {@code assignment} over the machine's {@code gpus} (every GPU llama.cpp has a backend for, in its
     * order, used or not): the graph split between GPUs and CPU as ggml's scheduler splits it. Null for
     * architectures without a graph model.
     */
    public static Map<String, Long> buffers(ModelShape shape, KvCacheParams params, KvCacheEstimate kv,
                                            LayerAssignment assignment, List<String> gpus) {
        if (!TransformerGraph.supports(shape)) {
            return null;
        }
        int ubatch = kv.context().microBatch();
        boolean encoder = shape.rules().memory() == MemoryKind.NONE;
        int pooling = encoder ? Math.max(GraphParams.POOLING_NONE, shape.poolingType()) : GraphParams.POOLING_NONE;
        try {
            GraphParams gp = sampling(shape, params, GraphParams.reserved(ubatch, kv.cells(), kv.swaCells(),
                    flashAttention(shape, params, kv, assignment, gpus), params.typeK(), params.typeV(), pooling,
                    params.sequences(), assignment));
            return GraphScheduler.computeBuffers(TransformerGraph.build(shape, gp), gpus);
        } catch (RuntimeException malformed) {
            unreplayable(shape, malformed);
            return null;
        }
    }

    /**
     * A file of a modelled architecture whose tensors do not make its graph (a missing projection, an
     * odd width): the estimate falls back to the envelope rather than fail the plan; llama.cpp will say
     * what is wrong with the file when it loads it.
     */
    private static void unreplayable(ModelShape shape, RuntimeException cause) {
        LOG.log(System.Logger.Level.WARNING, "compute buffers of this " + shape.architecture()
                + " file cannot be replayed (" + cause + "); using the envelope");
    }

    private static final System.Logger LOG = System.getLogger(ComputeEstimate.class.getName());

    /**
     * Whether the context will compute with flash attention: {@link FlashAttention#AUTO} resolved as
     * llama.cpp resolves it once the context exists (every layer's flash attention must run on the
     * layer's own device in a one-token graph, or it is off everywhere). Without a graph model AUTO
     * counts as off, the larger of the two.
     */
    public static boolean flashAttention(ModelShape shape, KvCacheParams params, KvCacheEstimate kv,
                                         LayerAssignment assignment, List<String> gpus) {
        if (params.flashAttention() != FlashAttention.AUTO) {
            return params.flashAttention() == FlashAttention.ENABLED;
        }
        if (!TransformerGraph.supports(shape)) {
            return false;
        }
        boolean encoder = shape.rules().memory() == MemoryKind.NONE;
        int pooling = encoder ? Math.max(GraphParams.POOLING_NONE, shape.poolingType()) : GraphParams.POOLING_NONE;
        long tokens = Math.max(1, params.sequences());
        GraphParams probe = new GraphParams(tokens, kv.cells(), kv.swaCells(), true, params.typeK(), params.typeV(),
                pooling, params.sequences(), assignment);
        try {
            return GraphScheduler.flashAttentionStaysOnLayerDevices(TransformerGraph.build(shape, probe), gpus,
                    assignment::deviceOf);
        } catch (RuntimeException malformed) {
            return false; // as without a graph model: off, the larger case
        }
    }

    /** A decoder's context with backend samplers ends its graph with their nodes (an encoder's never samples). */
    private static GraphParams sampling(ModelShape shape, KvCacheParams params, GraphParams gp) {
        boolean encoder = shape.rules().memory() == MemoryKind.NONE;
        return params.backendSampling() && !encoder ? gp.withBackendSampling() : gp;
    }

    /** ggml's CPU buffer alignment (TENSOR_ALIGNMENT). */
    private static final long CPU_ALIGNMENT = 32;

    /**
     * The envelope for architectures without a graph model: per token, the largest of three phases of
     * the graph plus the KQ mask, from llama.cpp dry runs of llama shapes, where it is exact for the
     * attention phase and high for the others.
     */
    record Envelope(long embd, long vocab, long ff, long heads, long kvWidth, long nKv, boolean flash) {
        static Envelope of(ModelShape shape, KvCacheParams params, KvCacheEstimate kv) {
            long embd = dim(shape, "token_embd.weight", 0);
            long vocab = shape.rules().memory() == MemoryKind.NONE ? 0 : dim(shape, "token_embd.weight", 1);
            long ff = 0;
            long kvWidth = 0;
            for (int il = 0; il < shape.layerCount(); il++) {
                ff = Math.max(ff, Math.max(dim(shape, "blk." + il + ".ffn_up.weight", 1), dim(shape, "blk." + il + ".ffn_gate.weight", 1)));
                ff = Math.max(ff, dim(shape, "blk." + il + ".ffn_up_exps.weight", 1) * Math.max(1, shape.expertUsedCount()));
                AttentionLayer a = shape.attention().layers().get(il);
                kvWidth = Math.max(kvWidth, a.keyWidth());
            }
            long nKv = kv.cells() > 0 ? kv.cells() : kv.context().microBatch();
            return new Envelope(embd, vocab, ff, ComputeEstimate.heads(shape, embd), kvWidth, nKv,
                    params.flashAttention() == FlashAttention.ENABLED);
        }

        long floatsPerToken() {
            long attention = flash ? 0 : heads * nKv + 5 * embd + 2 * kvWidth;
            long feedForward = 3 * ff + 4 * embd;
            long output = vocab + 5 * embd + 2 * kvWidth;
            long mask = flash ? (nKv + 1) / 2 : nKv;
            return Math.max(attention, Math.max(feedForward, output)) + mask + 8;
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
