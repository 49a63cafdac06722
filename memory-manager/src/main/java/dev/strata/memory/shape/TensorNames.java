package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgufTensorInfo;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies GGUF tensor names the way llama.cpp's tables do: the layer kind from
 * {@code LLM_TENSOR_INFOS} (src/llama-arch.cpp) and a {@link TensorGroup} from the name's suffix.
 * Works for every architecture, known or not, because llama.cpp names tensors uniformly
 * ({@code LLM_TENSOR_NAMES}: {@code blk.%d.attn_q}, {@code blk.%d.ffn_up_exps}, ...).
 *
 * <pre>{@code
 * TensorNames.classify(GgufTensorInfo.of("blk.7.ffn_down_exps.weight", GgmlType.Q4_K, 0, 1536, 2048, 128));
 * // WeightTensor[placement=LAYER, layer=7, group=EXPERTS, ...]
 * }</pre>
 */
public final class TensorNames {
    private static final Pattern LAYER_TENSOR = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");
    // Old Mixtral conversions stored one tensor per expert: blk.N.ffn_gate.E.weight.
    private static final Pattern SPLIT_EXPERT = Pattern.compile("^ffn_(gate|up|down)\\.\\d+\\..*");

    /** LLM_TENSOR_LAYER_INPUT tensors (llama-arch.cpp, LLM_TENSOR_INFOS). */
    private static final Set<String> INPUT = Set.of("token_embd", "position_embd", "token_types");
    /**
     * Tensors without a layer number in their name that llama.cpp still creates as
     * LLM_TENSOR_LAYER_REPEATING with layer 0: bert's {@code token_embd_norm} ("do the norms on the
     * first layer") and the rope factors every layer references.
     */
    private static final Set<String> FIRST_LAYER = Set.of("token_embd_norm");
    private static final Set<String> EVERY_LAYER = Set.of("rope_freqs", "rope_factors_long", "rope_factors_short");

    private TensorNames() {}

    /** Where llama.cpp places this tensor and what it is for; {@code loaded} is true. */
    public static WeightTensor classify(GgufTensorInfo info) {
        String name = info.name();
        Matcher m = LAYER_TENSOR.matcher(name);
        if (m.matches()) {
            int layer;
            try {
                layer = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                // A layer number past int range is not a layer llama.cpp could have; treat it as other.
                return new WeightTensor(info, TensorPlacement.OUTPUT, -1, TensorGroup.NORM_OTHER, false, true);
            }
            return new WeightTensor(info, TensorPlacement.LAYER, layer, layerGroup(m.group(2)), false, true);
        }
        String base = baseName(name);
        if (INPUT.contains(base)) {
            return new WeightTensor(info, TensorPlacement.INPUT, -1, TensorGroup.EMBEDDING, false, true);
        }
        if (FIRST_LAYER.contains(base)) {
            return new WeightTensor(info, TensorPlacement.LAYER, 0, TensorGroup.NORM_OTHER, false, true);
        }
        if (EVERY_LAYER.contains(base)) {
            return new WeightTensor(info, TensorPlacement.LAYER, 0, TensorGroup.NORM_OTHER, true, true);
        }
        if (base.equals("output_norm")) {
            return new WeightTensor(info, TensorPlacement.OUTPUT, -1, TensorGroup.OUTPUT_NORM, false, true);
        }
        if (base.equals("output") || base.startsWith("cls")) {
            return new WeightTensor(info, TensorPlacement.OUTPUT, -1, TensorGroup.OUTPUT, false, true);
        }
        // Most other global tensors in LLM_TENSOR_INFOS are output-layer heads and norms.
        return new WeightTensor(info, TensorPlacement.OUTPUT, -1, TensorGroup.NORM_OTHER, false, true);
    }

    /** The group of a layer tensor from its name after {@code blk.N.}. */
    static TensorGroup layerGroup(String suffix) {
        if (suffix.contains("_exps") || SPLIT_EXPERT.matcher(suffix).matches()) {
            return TensorGroup.EXPERTS;
        }
        if (suffix.contains("_shexp") || suffix.contains("_chexp")) {
            return TensorGroup.SHARED_EXPERTS;
        }
        if (suffix.contains("norm")) {
            return TensorGroup.NORM_OTHER;
        }
        if (suffix.startsWith("attn_")) {
            return TensorGroup.ATTENTION;
        }
        if (suffix.startsWith("ffn_gate_inp") || suffix.startsWith("exp_probs") || suffix.startsWith("ffn_exp_probs")) {
            return TensorGroup.NORM_OTHER; // the router: small, and it stays with the layer even when experts move
        }
        if (suffix.startsWith("ffn_")) {
            return TensorGroup.FFN;
        }
        return TensorGroup.NORM_OTHER;
    }

    /** {@code "output.weight"} → {@code "output"}; {@code "cls.output.bias"} → {@code "cls.output"}. */
    private static String baseName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
