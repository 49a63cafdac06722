package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.models.synth.arch.ModelSpec;
import java.util.List;
import java.util.Objects;

/**
 * Which ggml type each tensor of a model gets: llama.cpp's quantizer ({@code llama-quantize}) in one
 * of its file types, so a synthetic file has the tensor types, and so the bytes, of the real
 * quantized checkpoint. The rules are those of llama.cpp's src/llama-quant.cpp
 * ({@code llama_tensor_get_type_impl} and {@code tensor_type_fallback}) for the file types here;
 * {@link #pure} is {@code llama-quantize --pure}.
 *
 * <p>What that means per mix (norms, biases, routers, attention sinks, position and token-type
 * embeddings are always F32, as convert_hf_to_gguf writes them and llama.cpp never quantizes them):
 * <ul>
 *   <li>{@link #F16}, {@link #Q8_0}: every matrix in that type.
 *   <li>{@link #Q4_0}, {@link #Q5_K_S}: every matrix in that type, except {@code output.weight} (or the
 *       tied {@code token_embd.weight}) in Q6_K.
 *   <li>{@link #Q4_K_M}: Q4_K, with Q6_K for {@code output} and for {@code attn_v} / fused
 *       {@code attn_qkv} and {@code ffn_down} in the "more bits" layers (the first and last eighth
 *       and every third one between: about half), Q5_K for the other {@code attn_v} of a 70B.
 *   <li>{@link #MXFP4_MOE}: expert tensors (3-D) in MXFP4, every other matrix Q8_0: how gpt-oss ships.
 * </ul>
 * In every mix but F16, a model with exactly 8 experts (Mixtral) gets Q8_0 {@code attn_k} and
 * {@code attn_v}, and in Q4_K_M Q5_K {@code attn_output}. A matrix whose rows (ne0) are not whole
 * blocks of its type falls back as llama.cpp's quantizer falls back: Q4_K to Q5_0, Q5_K to Q5_1,
 * Q6_K to Q8_0, and to F16 if even 32 does not divide them. So in Q4_K_M gpt-oss (n_embd 2880) has
 * K-quants only in {@code attn_output} (rows of 64 heads x 64), and DeepSeek-V2-Lite's
 * {@code ffn_down_exps} (rows of 1408) are Q5_0.
 *
 * <pre>{@code
 * List<GgufTensorInfo> infos = QuantMix.Q4_K_M.tensorInfos(spec);   // offsets 0; the writer places them
 * QuantMix allQ4 = QuantMix.pure(GgmlType.Q4_0);                      // output in Q4_0 too
 * }</pre>
 *
 * @param name        label, such as "Q4_K_M"
 * @param defaultType the file type's default matrix type (llama_ftype_get_default_type)
 * @param fileType    {@code general.file_type}: llama.cpp's {@code enum llama_ftype}; negative: not written
 * @param pure        no per-tensor rules: every matrix in {@code defaultType}, fallbacks aside
 */
public record QuantMix(String name, GgmlType defaultType, int fileType, boolean pure) {
    /** LLAMA_FTYPE_MOSTLY_F16: what convert_hf_to_gguf writes with {@code --outtype f16}. */
    public static final QuantMix F16 = new QuantMix("F16", GgmlType.F16, QuantRules.FTYPE_F16, false);
    /** LLAMA_FTYPE_MOSTLY_Q8_0. */
    public static final QuantMix Q8_0 = new QuantMix("Q8_0", GgmlType.Q8_0, QuantRules.FTYPE_Q8_0, false);
    /** LLAMA_FTYPE_MOSTLY_Q4_0. */
    public static final QuantMix Q4_0 = new QuantMix("Q4_0", GgmlType.Q4_0, QuantRules.FTYPE_Q4_0, false);
    /** LLAMA_FTYPE_MOSTLY_Q5_K_S. */
    public static final QuantMix Q5_K_S = new QuantMix("Q5_K_S", GgmlType.Q5_K, QuantRules.FTYPE_Q5_K_S, false);
    /** LLAMA_FTYPE_MOSTLY_Q4_K_M. */
    public static final QuantMix Q4_K_M = new QuantMix("Q4_K_M", GgmlType.Q4_K, QuantRules.FTYPE_Q4_K_M, false);
    /** LLAMA_FTYPE_MOSTLY_MXFP4_MOE. */
    public static final QuantMix MXFP4_MOE = new QuantMix("MXFP4_MOE", GgmlType.MXFP4, QuantRules.FTYPE_MXFP4_MOE, false);

    public QuantMix {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultType, "defaultType");
    }

    /**
     * Every matrix in {@code type} ({@code llama-quantize --pure}); a matrix whose rows are not whole
     * blocks of it still falls back. {@code general.file_type} is the one llama.cpp would guess, or
     * none for a type it has no file type for.
     */
    public static QuantMix pure(GgmlType type) {
        return new QuantMix("pure " + type, type, LlamaQuant.uniform(type).fileType().orElse(-1), true);
    }

    /** The presets that apply to any model; {@link #MXFP4_MOE} needs experts to differ from Q8_0. */
    public static List<QuantMix> presets() {
        return List.of(F16, Q8_0, Q4_0, Q5_K_S, Q4_K_M, MXFP4_MOE);
    }

    /** The spec's tensors with the types this mix gives them, in the spec's order; offsets 0. */
    public List<GgufTensorInfo> tensorInfos(ModelSpec spec) {
        return QuantRules.assign(this, spec);
    }

    @Override
    public String toString() {
        return name;
    }
}
