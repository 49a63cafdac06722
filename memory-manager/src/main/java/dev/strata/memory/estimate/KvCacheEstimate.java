package dev.strata.memory.estimate;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.shape.AttentionLayer;
import dev.strata.memory.shape.AttentionShape;
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.RecurrentState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV-cache bytes llama.cpp allocates on each device: what its dry run reports as context bytes
 * ({@code llama_kv_cache::memory_breakdown}), summed per device.
 *
 * <p>Rules, all from llama.cpp v0.5.0:
 * <ul>
 *   <li>cells: {@link ContextSize} (src/llama-context.cpp);
 *   <li>per layer with a cache, a K tensor {@code [n_embd_k_gqa, cells, streams]} of type_k and, unless
 *       MLA, a V tensor {@code [n_embd_v_gqa, cells, streams]} of type_v; without flash attention V uses
 *       the widest layer's width (src/llama-kv-cache.cpp, constructor, [TAG_V_CACHE_VARIABLE]);
 *   <li>sliding-window layers get {@code GGML_PAD(min(n_ctx_seq, n_swa * (unified ? n_seq_max : 1) +
 *       n_ubatch), 256)} cells, or {@code n_ctx_seq} with swa_full (src/llama-kv-cache-iswa.cpp);
 *   <li>multi-token-prediction layers get none (src/llama-model.cpp, create_memory);
 *   <li>a layer's cache is on its layer's device with offload_kqv, else on the CPU; each tensor is
 *       sized by that device's {@link BufferRules};
 *   <li>recurrent layers (mamba, mamba2, and the SSM layers of the jamba and granitehybrid hybrids) hold an
 *       F32 r and s row per sequence, {@code n_embd_r} and {@code n_embd_s} wide (src/llama-memory-recurrent.cpp),
 *       on the layer's device like the KV rows; a hybrid's attention cache holds only its attention layers;
 *   <li>encoders (bert) have no cache; rwkv and the other recurrent and hybrid memories are not estimated.
 * </ul>
 *
 * <pre>{@code
 * KvCacheParams p = KvCacheParams.defaults().withContext(8192).withTypes(GgmlType.Q8_0, GgmlType.Q8_0);
 * KvCacheEstimate kv = KvCacheEstimate.of(shape, LayerAssignment.cpuOnly(shape.layerCount()), p);
 * kv.bytesOn("CPU");
 * }</pre>
 *
 * @param context       the context sizes llama.cpp uses
 * @param cells         cells per stream of the full-attention cache (n_ctx_seq)
 * @param swaCells      cells per stream of the sliding-window cache; 0 without sliding-window layers
 * @param bytesByDevice bytes per ggml device name, the CPU first
 */
public record KvCacheEstimate(ContextSize context, int cells, int swaCells, Map<String, Long> bytesByDevice) {

    public KvCacheEstimate {
        bytesByDevice = Collections.unmodifiableMap(new LinkedHashMap<>(bytesByDevice));
    }

    /**
     * KV-cache bytes per device. Pure: reads nothing but its arguments.
     *
     * @throws UnsupportedOperationException for a recurrent, hybrid or other memory that is not modelled
     *                                       ({@code ArchitectureRules.memoryEstimable()})
     * @throws IllegalArgumentException      for parameters llama.cpp refuses (its message), or an assignment
     *                                       for another layer count
     */
    public static KvCacheEstimate of(ModelShape shape, LayerAssignment assignment, KvCacheParams params) {
        if (assignment.layerCount() != shape.layerCount()) {
            throw new IllegalArgumentException("assignment for " + assignment.layerCount() + " layers, model has "
                    + shape.layerCount());
        }
        AttentionShape attention = shape.attention();
        MemoryKind memory = attention.memory();
        boolean stateful = memory == MemoryKind.RECURRENT || memory == MemoryKind.HYBRID;
        if (!memory.estimable() && !(stateful && shape.rules().memoryEstimable() && shape.rules().memory() == memory)) {
            throw new UnsupportedOperationException("the " + memory + " memory of '" + shape.architecture()
                    + "' is not modelled: unsupported for KV estimate");
        }
        boolean flash = effectiveFlashAttention(shape, params);
        ContextSize context = ContextSize.of(params, shape.contextLengthTrain(), attention.causal());

        Map<String, Long> bytes = new LinkedHashMap<>();
        assignment.devices().forEach(d -> bytes.put(d, 0L));
        if (memory == MemoryKind.NONE) {
            return new KvCacheEstimate(context, 0, 0, bytes);
        }

        // a recurrent memory has no attention cache at all
        int cells = memory == MemoryKind.RECURRENT ? 0 : context.contextPerSeq();
        int swaCells = 0;
        if (memory == MemoryKind.KV_CACHE_SWA) {
            long window = (long) attention.slidingWindow() * (params.unified() ? params.sequences() : 1) + context.microBatch();
            // "the SWA cache is always padded to 256 for performance"
            swaCells = params.swaFull() ? cells : (int) ContextSize.pad(Math.min(cells, window));
        }

        boolean vTrans = !flash;
        List<AttentionLayer> layers = attention.layers();
        for (int il = 0; il < layers.size(); il++) {
            AttentionLayer layer = layers.get(il);
            if (!layer.hasKv()) {
                continue;
            }
            long layerCells = (long) (layer.slidingWindow() && memory == MemoryKind.KV_CACHE_SWA ? swaCells : cells)
                    * context.streams();
            String device = params.offloadKqv() ? assignment.deviceOf(il) : LayerAssignment.CPU;
            BufferRules rules = BufferRules.forDevice(device);
            long size = tensorBytes(rules, params.typeK(), layer.keyWidth(), layerCells, "K", il);
            if (!attention.mla()) {
                long vWidth = vTrans ? attention.maxValueWidth() : layer.valueWidth();
                size += tensorBytes(rules, params.typeV(), vWidth, layerCells, "V", il);
            }
            bytes.merge(device, size, Long::sum);
        }
        if (stateful) {
            addRecurrentState(attention, assignment, params, bytes);
        }
        return new KvCacheEstimate(context, cells, swaCells, bytes);
    }

    /**
     * {@code llama_memory_recurrent} (src/llama-memory-recurrent.cpp): per recurrent layer an F32 r tensor
     * {@code [n_embd_r, mem_size * (1 + n_rs_seq)]} and an F32 s tensor {@code [n_embd_s, ...]}, with
     * {@code mem_size = max(1, n_seq_max)} and n_rs_seq 0 (llama.cpp's default; create_memory passes F32 for
     * both types), on the layer's device with offload_kqv, else on the CPU.
     */
    private static void addRecurrentState(AttentionShape attention, LayerAssignment assignment, KvCacheParams params,
                                          Map<String, Long> bytes) {
        RecurrentState state = attention.recurrent();
        long rows = Math.max(1, params.sequences());
        List<AttentionLayer> layers = attention.layers();
        for (int il = 0; il < layers.size(); il++) {
            if (!layers.get(il).recurrent()) {
                continue;
            }
            String device = params.offloadKqv() ? assignment.deviceOf(il) : LayerAssignment.CPU;
            BufferRules rules = BufferRules.forDevice(device);
            long size = tensorBytes(rules, GgmlType.F32, state.rWidth(), rows, "R", il)
                    + tensorBytes(rules, GgmlType.F32, state.sWidth(), rows, "S", il);
            bytes.merge(device, size, Long::sum);
        }
    }

    /**
     * Flash attention as the cache sees it, after llama.cpp's checks in {@code llama_init_from_model}
     * (src/llama-context.cpp): grok forces it off; a quantized V turns AUTO on and refuses DISABLED;
     * MLA needs equal K and V types; quantized types must divide every head size.
     */
    static boolean effectiveFlashAttention(ModelShape shape, KvCacheParams params) {
        FlashAttention fa = shape.architecture().equals("grok") ? FlashAttention.DISABLED : params.flashAttention();
        if (shape.attention().mla() && params.typeK() != params.typeV()) {
            throw new IllegalArgumentException("model does not support different K (" + params.typeK().ggmlName()
                    + ") and V (" + params.typeV().ggmlName() + ") cache types");
        }
        if (params.typeV().isQuantized() && fa == FlashAttention.DISABLED) {
            throw new IllegalArgumentException("quantized V cache requires flash_attn to be enabled");
        }
        boolean flash = fa != FlashAttention.DISABLED;
        if (flash) {
            List<AttentionLayer> layers = shape.attention().layers();
            for (int il = 0; il < shape.computeLayerCount(); il++) {
                checkBlock(params.typeK(), layers.get(il).headDimK(), "K", "n_embd_head_k");
                checkBlock(params.typeV(), layers.get(il).headDimV(), "V", "n_embd_head_v");
            }
        }
        return flash;
    }

    private static void checkBlock(GgmlType type, int headDim, String which, String what) {
        if (type.isQuantized() && headDim % type.blockSize() != 0) {
            throw new IllegalArgumentException(which + " cache type " + type.ggmlName() + " with block size "
                    + type.blockSize() + " does not divide " + what + "=" + headDim);
        }
    }

    private static long tensorBytes(BufferRules rules, GgmlType type, long width, long rows, String which, int layer) {
        if (width % type.blockSize() != 0) {
            throw new IllegalArgumentException("layer " + layer + ": " + which + " width " + width + " is not a multiple of the "
                    + type.ggmlName() + " block size " + type.blockSize() + "; ggml cannot make this cache");
        }
        return rules.allocBytes(type, width, Math.multiplyExact(width, rows));
    }

    /** Bytes on {@code device}; 0 for a device this estimate does not use. */
    public long bytesOn(String device) {
        return bytesByDevice.getOrDefault(device, 0L);
    }

    /** Bytes on all devices together. */
    public long totalBytes() {
        return bytesByDevice.values().stream().mapToLong(Long::longValue).sum();
    }
}
