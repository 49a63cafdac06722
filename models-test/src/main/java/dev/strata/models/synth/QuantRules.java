package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.models.synth.arch.ModelSpec;
import dev.strata.models.synth.arch.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A port of the part of llama.cpp's src/llama-quant.cpp that picks tensor types, for the file types
 * {@link QuantMix} offers: {@code tensor_allows_quantization}, {@code tensor_get_category},
 * {@code llama_tensor_get_type_impl} (only the branches those file types reach) and
 * {@code tensor_type_fallback}. Kept in llama.cpp's order so the two can be read side by side.
 */
final class QuantRules {
    // enum llama_ftype (include/llama.h)
    static final int FTYPE_F16 = 1;
    static final int FTYPE_Q4_0 = 2;
    static final int FTYPE_Q8_0 = 7;
    static final int FTYPE_Q4_K_M = 15;
    static final int FTYPE_Q5_K_S = 16;
    static final int FTYPE_MXFP4_MOE = 38;

    private QuantRules() {}

    /** llama-quant.cpp's {@code tensor_category}, as far as the zoo's tensors go. */
    enum Category { OUTPUT, TOKEN_EMBD, ATTENTION_QKV, ATTENTION_KV_B, ATTENTION_V, ATTENTION_K, ATTENTION_Q,
        ATTENTION_OUTPUT, FFN_UP, FFN_GATE, FFN_DOWN, OTHER }

    static List<GgufTensorInfo> assign(QuantMix mix, ModelSpec spec) {
        // init_quantize_state_counters: the first pass counts attn_v-like tensors and looks for output.weight
        int nAttentionWv = 0;
        for (TensorSpec t : spec.tensors()) {
            if (isAttnV(category(t.name()))) {
                nAttentionWv++;
            }
        }
        State s = new State(mix, spec, nAttentionWv);
        List<GgufTensorInfo> out = new ArrayList<>(spec.tensors().size());
        for (TensorSpec t : spec.tensors()) {
            GgmlType type = allowsQuantization(t) ? s.type(t) : GgmlType.F32;
            out.add(GgufTensorInfo.of(t.name(), type, 0, t.dimsArray()));
        }
        return out;
    }

    /**
     * tensor_allows_quantization: 2-D and 3-D weights only; never norms, MoE routers, position or
     * token-type embeddings. Everything it refuses is F32 in a converted file: 1-D tensors and norms
     * always, the rest by convert_hf_to_gguf's list of tensors kept in F32.
     */
    static boolean allowsQuantization(TensorSpec t) {
        String name = t.name();
        return t.nDims() >= 2
                && name.endsWith("weight")
                && !name.contains("_norm.weight")
                && !name.contains("ffn_gate_inp.weight")
                && !name.equals("position_embd.weight")
                && !name.equals("token_types.weight")
                // "do not quantize Mamba/Kimi's small conv1d weights"
                && !name.contains("ssm_conv1d")
                && !name.contains("shortconv.conv.weight");
    }

    /** tensor_get_category: by substring, first match wins, in llama.cpp's order. */
    static Category category(String name) {
        if (name.equals("output.weight")) {
            return Category.OUTPUT;
        }
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) {
            return Category.TOKEN_EMBD;
        }
        if (name.contains("attn_qkv.weight")) {
            return Category.ATTENTION_QKV;
        }
        if (name.contains("attn_kv_b.weight")) {
            return Category.ATTENTION_KV_B;
        }
        if (name.contains("attn_v.weight")) {
            return Category.ATTENTION_V;
        }
        if (name.contains("attn_k.weight")) {
            return Category.ATTENTION_K;
        }
        if (name.contains("attn_q.weight")) {
            return Category.ATTENTION_Q;
        }
        if (name.contains("attn_output.weight")) {
            return Category.ATTENTION_OUTPUT;
        }
        if (name.contains("ffn_up")) {
            return Category.FFN_UP;
        }
        if (name.contains("ffn_gate")) {
            return Category.FFN_GATE;
        }
        if (name.contains("ffn_down")) {
            return Category.FFN_DOWN;
        }
        return Category.OTHER;
    }

    /** category_is_attn_v: the fused QKV and MLA's kv_b count as V, more sensitive to quantization. */
    static boolean isAttnV(Category c) {
        return c == Category.ATTENTION_V || c == Category.ATTENTION_QKV || c == Category.ATTENTION_KV_B;
    }

    /** use_more_bits: the first and last eighth of the layers, and every third layer between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /**
     * tensor_type_fallback: a type whose block does not divide the rows (ne0) gives way to a 32-wide
     * one of about the same size, and that to F16 if 32 does not divide them either.
     */
    static GgmlType fallback(TensorSpec t, GgmlType type) {
        long ncols = t.dim(0);
        if (ncols % type.blockSize() == 0) {
            return type;
        }
        GgmlType to = switch (type) {
            case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ4_XS -> GgmlType.IQ4_NL;
            case Q2_0, Q2_K, Q3_K, TQ1_0, TQ2_0 -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> {
                if (type.blockSize() > 32) {
                    throw new IllegalArgumentException("llama.cpp defines no fallback for " + type + " (" + t.name() + ")");
                }
                yield type;
            }
        };
        return ncols % to.blockSize() == 0 ? to : GgmlType.F16;
    }

    /** quantize_state_impl: the counters llama_tensor_get_type_impl keeps across tensors. */
    private static final class State {
        private final QuantMix mix;
        private final int ftype;
        private final int nLayer;
        private final int nExpert;
        private final boolean tiedEmbeddings;
        private final boolean is70B;
        private final int nAttentionWv;
        private int iAttentionWv;
        private int iFfnDown;

        State(QuantMix mix, ModelSpec spec, int nAttentionWv) {
            this.mix = mix;
            this.ftype = mix.fileType();
            this.nLayer = spec.blockCount();
            this.nExpert = spec.expertCount();
            this.tiedEmbeddings = spec.tiedEmbeddings();
            this.is70B = isLlmType70B(spec);
            this.nAttentionWv = nAttentionWv;
        }

        /** llama_tensor_get_type for a tensor that allows quantization. */
        GgmlType type(TensorSpec t) {
            GgmlType type = mix.defaultType();
            if (!type.isQuantized()) {
                return type; // F16 and the like: no rules, no fallback
            }
            if (!mix.pure()) {
                type = impl(t, category(t.name()), type);
            }
            return fallback(t, type);
        }

        /** llama_tensor_get_type_impl, the branches that Q4_0, Q8_0, Q5_K_S, Q4_K_M and MXFP4_MOE reach. */
        private GgmlType impl(TensorSpec t, Category category, GgmlType type) {
            if (category == Category.OUTPUT || (tiedEmbeddings && category == Category.TOKEN_EMBD)) {
                // a tied token_embd is quantized as the output it also is
                if (ftype == FTYPE_MXFP4_MOE || t.dim(0) % type.blockSize() != 0) {
                    return GgmlType.Q8_0;
                }
                return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
            }
            if (ftype == FTYPE_MXFP4_MOE) {
                return t.dim(2) > 1 ? GgmlType.MXFP4 : GgmlType.Q8_0; // the experts, and MLA's 3-D k_b / v_b too
            }
            if (category == Category.TOKEN_EMBD) {
                return type; // changed only for IQ and TQ file types
            }
            if (isAttnV(category)) {
                if (ftype == FTYPE_Q4_K_M && useMoreBits(iAttentionWv, nAttentionWv)) {
                    type = GgmlType.Q6_K;
                }
                if (is70B && (type == GgmlType.Q3_K || type == GgmlType.Q4_K)) {
                    // 8 heads share each attn_v of a 70B, which is 8x smaller than attn_q: more bits cost little
                    type = GgmlType.Q5_K;
                }
                if (nExpert == 8) {
                    type = GgmlType.Q8_0;
                }
                iAttentionWv++;
                return type;
            }
            if (category == Category.ATTENTION_K) {
                return nExpert == 8 ? GgmlType.Q8_0 : type;
            }
            if (category == Category.FFN_DOWN) {
                // MoE models take the layer from the name (experts need not be in order); dense ones count
                int layer = nExpert > 1 ? t.layer().orElseThrow() : iFfnDown;
                iFfnDown++;
                if (ftype == FTYPE_Q4_K_M && useMoreBits(layer, nLayer)) {
                    return GgmlType.Q6_K;
                }
                return type;
            }
            if (category == Category.ATTENTION_OUTPUT) {
                return nExpert == 8 && ftype == FTYPE_Q4_K_M ? GgmlType.Q5_K : type;
            }
            return type;
        }

        /**
         * Whether llama.cpp's load_arch_hparams would call the model LLM_TYPE_70B, for the
         * architectures of the zoo that have such a size: llama with 80 layers and grouped-query
         * attention (65B without it), qwen2 with 80 layers.
         */
        private static boolean isLlmType70B(ModelSpec spec) {
            return switch (spec.architecture()) {
                case "llama" -> spec.expertCount() != 8 && spec.blockCount() == 80 && spec.headCount() != spec.headCountKv();
                case "qwen2" -> spec.blockCount() == 80;
                default -> false;
            };
        }
    }
}
