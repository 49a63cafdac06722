package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.models.synth.arch.TensorSpec;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Which ggml type each kind of llama tensor is stored in. Norm weights are always F32, as
 * llama.cpp's quantizer leaves every 1-D tensor.
 *
 * <pre>{@code
 * LlamaQuant q4 = LlamaQuant.uniform(GgmlType.Q4_0);
 * LlamaQuant q4km = new LlamaQuant(GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q6_K);  // output kept finer
 * }</pre>
 *
 * @param weights        attention and feed-forward matrices
 * @param tokenEmbedding {@code token_embd.weight}
 * @param output         {@code output.weight}; unused when embeddings are tied
 */
public record LlamaQuant(GgmlType weights, GgmlType tokenEmbedding, GgmlType output) {
    public LlamaQuant {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(tokenEmbedding, "tokenEmbedding");
        Objects.requireNonNull(output, "output");
    }

    /** Every matrix in {@code type}. */
    public static LlamaQuant uniform(GgmlType type) {
        return new LlamaQuant(type, type, type);
    }

    /** The type of one llama tensor: F32 for the 1-D norms, else by its role. */
    public GgmlType typeOf(TensorSpec tensor) {
        if (tensor.nDims() == 1) {
            return GgmlType.F32;
        }
        return switch (tensor.name()) {
            case "token_embd.weight" -> tokenEmbedding;
            case "output.weight" -> output;
            default -> weights;
        };
    }

    /**
     * The {@code general.file_type} ({@code enum llama_ftype}) that llama.cpp would guess from the
     * type of the layer matrices (llama_model_loader, the {@code type_max} switch), or empty for a
     * type it has no file type for. Only informational: the loader prints it, nothing depends on it.
     */
    public OptionalInt fileType() {
        int ftype = switch (weights) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12;   // Q3_K_M
            case Q4_K -> 15;   // Q4_K_M
            case Q5_K -> 17;   // Q5_K_M
            case Q6_K -> 18;
            case IQ2_XXS -> 19;
            case IQ2_XS -> 20;
            case IQ3_XXS -> 23;
            case IQ1_S -> 24;
            case IQ4_NL -> 25;
            case IQ3_S -> 26;
            case IQ2_S -> 28;
            case IQ4_XS -> 30;
            case IQ1_M -> 31;
            case BF16 -> 32;
            case TQ1_0 -> 36;
            case TQ2_0 -> 37;
            case NVFP4 -> 39;
            case Q1_0 -> 40;
            case Q2_0 -> 41;
            default -> -1;
        };
        return ftype < 0 ? OptionalInt.empty() : OptionalInt.of(ftype);
    }
}
