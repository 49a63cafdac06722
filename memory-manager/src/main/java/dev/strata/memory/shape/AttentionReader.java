package dev.strata.memory.shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a model's KV geometry as llama.cpp does: the generic part of
 * {@code llama_model_base::load_hparams} (src/llama-model.cpp), the sliding-window and MLA parts
 * of each architecture's {@code load_arch_hparams} (src/models/*.cpp), and
 * {@code llama_hparams::set_swa_pattern} (src/llama-hparams.cpp).
 */
final class AttentionReader {
    private AttentionReader() {}

    /**
     * @param layerCount  n_layer_all ({@code block_count})
     * @param mtpLayers   n_layer_nextn: the last layers, which get no cache in the main context
     * @param tensorKv    per layer, the K and V widths read off {@code attn_k}/{@code attn_v} tensors, for
     *                    files without head counts
     */
    static AttentionShape read(Hparams hp, ArchitectureRules rules, int layerCount, int mtpLayers,
                               Map<Integer, long[]> tensorKv, List<String> warnings) {
        int nLayer = layerCount - mtpLayers; // hparams.n_layer()
        int nEmbd = hp.uint("embedding_length", 0);

        int[] nHead = hp.perLayer("attention.head_count", layerCount, new int[layerCount]);
        // "n_head_kv is optional, default to n_head"
        int[] nHeadKv = hp.perLayer("attention.head_count_kv", layerCount, nHead);
        int nHead0 = layerCount > 0 ? nHead[0] : 0;

        int headK = 0;
        int headV = 0;
        int nRot = 0;
        if (nHead0 > 0) { // "non-transformer models do not have attention heads"
            headK = hp.uint("attention.key_length", nEmbd / nHead0);
            headV = hp.uint("attention.value_length", nEmbd / nHead0);
            nRot = hp.uint("rope.dimension_count", headK);
        }
        int headKSwa = hp.uint("attention.key_length_swa", headK);
        int headVSwa = hp.uint("attention.value_length_swa", headV);

        boolean[] swa = new boolean[layerCount];
        int window = 0;
        switch (rules.swa()) {
            case ALWAYS -> {
                Optional<Integer> key = hp.uint("attention.sliding_window");
                if (key.isEmpty() && rules.defaultWindow() == 0) {
                    warnings.add(rules.name() + ".attention.sliding_window is missing; llama.cpp requires it");
                }
                window = key.orElse(rules.defaultWindow());
                swa = swaPattern(hp, rules.defaultPattern(), layerCount, nLayer);
            }
            case IF_WINDOW_KEY -> {
                window = hp.uint("attention.sliding_window", 0);
                if (window > 0) {
                    swa = swaPattern(hp, rules.defaultPattern(), layerCount, nLayer);
                }
            }
            case IGNORED, NONE -> {
                if (!rules.modelled() && hp.has("attention.sliding_window")) {
                    warnings.add(rules.name() + " has attention.sliding_window but its window rules are not modelled:"
                            + " every layer is sized as full attention (exact when the SWA cache is full size)");
                }
            }
        }
        boolean anySwa = false;
        for (boolean b : swa) {
            anySwa |= b;
        }
        if (rules.swa() != ArchitectureRules.SwaRule.NONE && rules.swa() != ArchitectureRules.SwaRule.IGNORED
                && window > 0 && !anySwa) {
            warnings.add(rules.name() + ": a sliding window but no sliding-window layer; llama.cpp asserts is_swa_any()");
        }

        // deepseek2: "using MLA converts into MQA with larger heads"; is_mla() needs both keys.
        int kLenMla = rules.mla() ? hp.uint("attention.key_length_mla", 0) : 0;
        int vLenMla = rules.mla() ? hp.uint("attention.value_length_mla", 0) : 0;
        boolean mla = kLenMla != 0 && vLenMla != 0;
        int kvLoraRank = hp.uint("attention.kv_lora_rank", 0);
        if (!rules.modelled() && hp.has("attention.key_length_mla")) {
            warnings.add(rules.name() + " has attention.key_length_mla but its MLA rules are not modelled: K and V"
                    + " are sized from key_length and value_length");
        }
        if (mla && headK != kvLoraRank + nRot) {
            warnings.add("MLA key_length " + headK + " is not kv_lora_rank " + kvLoraRank + " + rope " + nRot
                    + "; the cache is sized from key_length, as llama.cpp does");
        }

        boolean fromTensors = nHead0 == 0 && rules.memory() != MemoryKind.NONE && !tensorKv.isEmpty();
        if (fromTensors) {
            warnings.add("no attention.head_count: K and V widths are read off the attn_k/attn_v tensors");
        }
        // recurrent layers (llama-memory-recurrent.cpp): all of a recurrent architecture's; in jamba and
        // granitehybrid those whose n_head_kv is 0 (load_arch_hparams: "is_recr_impl[i] = n_head_kv(i) == 0")
        boolean stateModelled = rules.modelled()
                && (rules.memory() == MemoryKind.RECURRENT || rules.memory() == MemoryKind.HYBRID);
        RecurrentState state = RecurrentState.NONE;
        if (stateModelled) {
            state = RecurrentState.ofSsm(hp.uint("ssm.conv_kernel", 0), hp.uint("ssm.inner_size", 0),
                    hp.uint("ssm.state_size", 0), hp.uint("ssm.group_count", 0));
        }
        List<AttentionLayer> layers = new ArrayList<>(layerCount);
        for (int il = 0; il < layerCount; il++) {
            boolean recurrent = stateModelled && il < nLayer
                    && (rules.memory() == MemoryKind.RECURRENT || nHeadKv[il] == 0);
            // the main context's cache filter when n_layer_nextn > 0 (create_memory); a hybrid's attention
            // cache holds only its attention layers (llama-memory-hybrid.cpp: "!hparams.is_recr(il)")
            boolean hasKv = il < nLayer && !recurrent && !(stateModelled && rules.memory() == MemoryKind.RECURRENT);
            if (fromTensors) {
                long[] kv = tensorKv.getOrDefault(il, new long[2]);
                layers.add(new AttentionLayer(1, Math.toIntExact(kv[0]), Math.toIntExact(kv[1]), swa[il], hasKv,
                        recurrent));
            } else {
                layers.add(new AttentionLayer(nHeadKv[il], swa[il] ? headKSwa : headK, swa[il] ? headVSwa : headV,
                        swa[il], hasKv, recurrent));
            }
        }

        MemoryKind memory = rules.memory() == MemoryKind.KV_CACHE && anySwa ? MemoryKind.KV_CACHE_SWA : rules.memory();
        boolean causal = hp.bool("attention.causal").orElse(true);
        return new AttentionShape(layers, memory, anySwa ? window : 0, mla, mla ? kvLoraRank : 0, nRot, causal, state);
    }

    /**
     * {@code llama_model_base::load_swa_pattern}: a per-layer array if the file has one, else
     * {@code set_swa_pattern(n_pattern, dense_first = false)} with the file's scalar or the default.
     */
    static boolean[] swaPattern(Hparams hp, int defaultPattern, int layerCount, int nLayer) {
        boolean[] swa = new boolean[layerCount];
        Optional<int[]> array = hp.array("attention.sliding_window_pattern");
        if (array.isPresent()) {
            int[] a = array.get();
            for (int il = 0; il < Math.min(a.length, layerCount); il++) {
                swa[il] = a[il] != 0;
            }
            return swa;
        }
        int n = hp.uint("attention.sliding_window_pattern", defaultPattern);
        return setSwaPattern(n, layerCount, nLayer);
    }

    /**
     * {@code llama_hparams::set_swa_pattern(n_pattern, dense_first = false)}: every n-th layer is
     * dense, the others slide; n = 0 makes all slide, n = 1 none. Layers past n_layer() (MTP) are dense.
     */
    static boolean[] setSwaPattern(int nPattern, int layerCount, int nLayer) {
        boolean[] swa = new boolean[layerCount];
        Arrays.fill(swa, false);
        for (int il = 0; il < nLayer; il++) {
            swa[il] = nPattern == 0 || il % nPattern < nPattern - 1;
        }
        return swa;
    }
}
