package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgufFile;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model needs in memory, read from its GGUF header: bytes per layer and per tensor group,
 * the input and output layers, and the KV-cache geometry of every layer. The shape is a value; the
 * estimators in {@code dev.strata.memory.estimate} turn it into bytes per device.
 *
 * <pre>{@code
 * ModelShape shape = ModelShape.of(GgufFile.read(Path.of("Meta-Llama-3-8B.Q4_0.gguf")));
 * shape.layerCount();                       // 32
 * shape.layers().get(0).total();            // bytes of layer 0
 * shape.attention().layers().get(0).keyWidth();   // 1024: 8 KV heads of 128
 * shape.warnings();                         // empty for a modelled architecture
 * }</pre>
 *
 * <p>Reading never fails on an architecture it does not know: sizes then come from the tensor
 * names ({@code blk.N.*}) and the generic hyperparameters, and {@link #warnings()} says what is
 * assumed.
 *
 * @param architecture      {@code general.architecture}
 * @param rules             what llama.cpp does differently for this architecture
 * @param layerCount        n_layer_all: {@code block_count}, multi-token-prediction layers included; what
 *                          llama.cpp's layer placement counts ({@code i_gpu_start = n_layer_all + 1 - n_gpu_layers})
 * @param mtpLayerCount     {@code nextn_predict_layers}: the last layers, skipped by the loader and the cache
 * @param expertCount       {@code expert_count}; 0 for a dense model
 * @param expertUsedCount   {@code expert_used_count} (the largest, when given per layer)
 * @param contextLengthTrain {@code context_length}: n_ctx_train, the context used when 0 is asked for
 * @param tensors           every tensor of the file, classified
 * @param layers            bytes per repeating layer and group, {@code layerCount} entries
 * @param tiedOutput        no {@code output.weight}: llama.cpp uses {@code token_embd} as the LM head and
 *                          creates a second copy of it in the output layer's buffer when that differs from the
 *                          input's (llama-model-loader.cpp, create_tensor, {@code TENSOR_DUPLICATED})
 * @param attention         KV-cache geometry
 * @param warnings          what this shape assumes because the file or architecture is not fully known
 * @param poolingType       {@code pooling_type}: llama.cpp's {@code enum llama_pooling_type} (0 none, 1 mean,
 *                          2 CLS, 3 last, 4 rank) that an embeddings context uses unless told otherwise; -1 absent
 */
public record ModelShape(String architecture, ArchitectureRules rules, int layerCount, int mtpLayerCount,
                         int expertCount, int expertUsedCount, int contextLengthTrain, List<WeightTensor> tensors,
                         List<LayerWeights> layers, boolean tiedOutput, AttentionShape attention, List<String> warnings,
                         int poolingType) {

    public ModelShape {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(attention, "attention");
        tensors = List.copyOf(tensors);
        layers = List.copyOf(layers);
        warnings = List.copyOf(warnings);
        if (layerCount < 0 || mtpLayerCount < 0 || mtpLayerCount > layerCount || layers.size() != layerCount
                || attention.layers().size() != layerCount) {
            throw new IllegalArgumentException("inconsistent layer counts: " + layerCount + " layers, " + mtpLayerCount
                    + " MTP, " + layers.size() + " weight entries, " + attention.layers().size() + " attention entries");
        }
    }

    /** A shape whose file has no pooling type (a decoder). */
    public ModelShape(String architecture, ArchitectureRules rules, int layerCount, int mtpLayerCount, int expertCount,
                      int expertUsedCount, int contextLengthTrain, List<WeightTensor> tensors, List<LayerWeights> layers,
                      boolean tiedOutput, AttentionShape attention, List<String> warnings) {
        this(architecture, rules, layerCount, mtpLayerCount, expertCount, expertUsedCount, contextLengthTrain, tensors,
                layers, tiedOutput, attention, warnings, -1);
    }

    /**
     * Reads the shape of the model whose header this is.
     *
     * @throws ModelShapeException if the header's hyperparameters are ones llama.cpp refuses, or contradict
     *                             each other (a negative head count, a width that overflows)
     */
    public static ModelShape of(GgufFile gguf) {
        try {
            return ShapeReader.read(gguf);
        } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
            // the shape records' own checks, met by a header no converter writes: the file's fault, typed once
            String arch = ShapeReader.architecture(gguf);
            throw new ModelShapeException("the header of this " + (arch.isEmpty() ? "unnamed" : arch)
                    + " model is inconsistent: "
                    + e.getMessage(), e);
        }
    }

    /** The tensor with this name, if the file has it. */
    public Optional<WeightTensor> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Bytes of {@code token_embd.weight}; 0 if absent. */
    public long tokenEmbeddingBytes() {
        return tensor("token_embd.weight").map(WeightTensor::bytes).orElse(0L);
    }

    /**
     * Bytes of the LM head: {@code output.weight}, or for {@link #tiedOutput()} the size of the copy of
     * {@code token_embd} that llama.cpp makes when the output layer sits in another buffer; 0 for a
     * model without a head (an encoder).
     */
    public long outputBytes() {
        Optional<WeightTensor> output = tensor("output.weight");
        return output.isPresent() ? output.get().bytes() : tiedOutput ? tokenEmbeddingBytes() : 0L;
    }

    /** Bytes of {@code output_norm} (weight and bias). */
    public long outputNormBytes() {
        return tensors.stream().filter(t -> t.group() == TensorGroup.OUTPUT_NORM).mapToLong(WeightTensor::bytes).sum();
    }

    /** Bytes of every tensor llama.cpp allocates, each once, before buffer padding. */
    public long loadedBytes() {
        return tensors.stream().filter(WeightTensor::loaded).mapToLong(WeightTensor::bytes).sum();
    }

    /** n_layer(): the layers the main context computes, MTP layers excluded. */
    public int computeLayerCount() {
        return layerCount - mtpLayerCount;
    }
}
