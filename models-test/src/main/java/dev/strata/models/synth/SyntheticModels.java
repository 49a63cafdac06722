package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.models.synth.arch.LlamaFamily;
import dev.strata.models.synth.arch.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes GGUF models of any architecture and shape that llama.cpp loads: a {@link ModelSpec}
 * (hyperparameters and tensor layout, see {@link Zoo} for real checkpoints), tensor types from a
 * {@link QuantMix}, a tokenizer borrowed from one of llama.cpp's vocab-only files, and sparse or
 * random weights.
 *
 * <pre>{@code
 * // Qwen3-30B-A3B in Q4_K_M: 17 GiB apparent, kilobytes on disk, enough for llama.cpp's dry run
 * SyntheticModels.write(Path.of("a3b.gguf"), Zoo.qwen3_30b_a3b(), QuantMix.Q4_K_M, LlamaVocabs.locate(),
 *         DataMode.SPARSE, 0);
 * // the older llama-only API: a model that really generates (gibberish)
 * Path stories = Path.of("models/stories260K.gguf");
 * SyntheticModels.writeLlama(Path.of("tiny.gguf"), LlamaShape.tiny(), GgmlType.Q8_0, DataMode.RANDOM, 42, stories);
 * }</pre>
 */
public final class SyntheticModels {
    /** {@link ModelSpec#vocab()} of a llama written through {@link #llama}: the caller hands the tokenizer over. */
    private static final String CALLERS_VOCAB = "caller's tokenizer";

    private SyntheticModels() {}

    /**
     * Writes {@code spec} to {@code out} with the tokenizer of {@code vocabs.read(spec.vocab())}.
     *
     * @throws IllegalArgumentException as {@link #writer(ModelSpec, QuantMix, GgufFile)}, or (RANDOM) for a
     *                                  type with no random data, such as MXFP4
     */
    public static GgufLayout write(Path out, ModelSpec spec, QuantMix mix, LlamaVocabs vocabs, DataMode mode, long seed)
            throws IOException {
        return writer(spec, mix, vocabs.read(spec.vocab())).write(out, mode, seed);
    }

    /** {@link #write(Path, ModelSpec, QuantMix, LlamaVocabs, DataMode, long)} with the vocab file already read. */
    public static GgufLayout write(Path out, ModelSpec spec, QuantMix mix, GgufFile vocab, DataMode mode, long seed)
            throws IOException {
        return writer(spec, mix, vocab).write(out, mode, seed);
    }

    /**
     * A writer holding {@code spec}'s metadata and tensors, for callers that add keys before writing.
     * The tokenizer is every {@code tokenizer.*} key of {@code vocab}, padded to {@code spec.vocabSize()}.
     *
     * <pre>{@code
     * GgufWriter w = SyntheticModels.writer(Zoo.gemma3_27b(), QuantMix.Q8_0, vocabs.read("gemma-4"));
     * w.putString("general.description", "planner fixture");
     * w.write(out, DataMode.SPARSE, 0);
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code vocab} has more tokens than the spec
     */
    public static GgufWriter writer(ModelSpec spec, QuantMix mix, GgufFile vocab) {
        Objects.requireNonNull(mix, "mix");
        List<GgufTensorInfo> infos = mix.tensorInfos(spec);
        GgufWriter w = header(spec, mix.fileType(), infos);
        VocabPadding.copy(vocab, spec.vocabSize(), w);
        return addTensors(w, infos);
    }

    /** {@link #writeLlama(Path, LlamaShape, LlamaQuant, DataMode, long, Path)} with every matrix in {@code weights}. */
    public static GgufLayout writeLlama(Path out, LlamaShape shape, GgmlType weights, DataMode mode, long seed,
                                        Path tokenizerSource) throws IOException {
        return writeLlama(out, shape, LlamaQuant.uniform(weights), mode, seed, tokenizerSource);
    }

    /**
     * Writes a llama model to {@code out}.
     *
     * @param tokenizerSource a GGUF file whose {@code tokenizer.*} metadata is copied; its token
     *                        count must equal {@code shape.vocabSize()}
     * @throws IllegalArgumentException if the vocabulary sizes differ, if a dimension is not a
     *                                  multiple of a type's block size, or (RANDOM) if a type has no random data
     */
    public static GgufLayout writeLlama(Path out, LlamaShape shape, LlamaQuant quant, DataMode mode, long seed,
                                        Path tokenizerSource) throws IOException {
        return llama(shape, quant, GgufFile.read(tokenizerSource)).write(out, mode, seed);
    }

    /**
     * A writer holding a llama model's metadata and tensors, for callers that add keys or tensors
     * before writing.
     *
     * <pre>{@code
     * GgufWriter w = SyntheticModels.llama(shape, quant, GgufFile.read(stories));
     * w.putString("general.description", "benchmark fixture");
     * w.write(out, DataMode.SPARSE, 0);
     * }</pre>
     *
     * @throws IllegalArgumentException if the tokenizer's token count is not {@code shape.vocabSize()}
     */
    public static GgufWriter llama(LlamaShape shape, LlamaQuant quant, GgufFile tokenizer) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(quant, "quant");
        int tokens = VocabPadding.tokenCount(tokenizer);
        if (tokens != shape.vocabSize()) {
            // llama.cpp sizes token_embd and output by the tokenizer (vocab.n_tokens()), not by
            // llama.vocab_size, and rejects a tensor of any other shape.
            throw new IllegalArgumentException("shape " + shape.name() + " has " + shape.vocabSize()
                    + " tokens but the tokenizer has " + tokens + "; use shape.withVocab(" + tokens + ")");
        }
        ModelSpec spec = LlamaFamily.spec(new LlamaFamily.Config(shape.name(), CALLERS_VOCAB, shape.vocabSize(),
                shape.contextLength(), shape.embeddingLength(), shape.blockCount(), shape.feedForwardLength(),
                shape.headCount(), shape.headCountKv(), shape.ropeFreqBase(), shape.rmsEps(), 0, 0,
                shape.tiedEmbeddings()));
        List<GgufTensorInfo> infos = new ArrayList<>();
        spec.tensors().forEach(t -> infos.add(GgufTensorInfo.of(t.name(), quant.typeOf(t), 0, t.dimsArray())));
        GgufWriter w = header(spec, quant.fileType().orElse(-1), infos);
        VocabPadding.copy(tokenizer, tokens, w);
        return addTensors(w, infos);
    }

    private static GgufWriter header(ModelSpec spec, int fileType, List<GgufTensorInfo> infos) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", spec.architecture());
        w.putString("general.name", spec.name());
        if (fileType >= 0) {
            w.putUint32("general.file_type", fileType);
        }
        if (infos.stream().anyMatch(t -> t.type().isQuantized())) {
            w.putUint32("general.quantization_version", 2); // GGML_QNT_VERSION, as llama-quantize writes it
        }
        spec.metadata().forEach(w::put);
        return w;
    }

    private static GgufWriter addTensors(GgufWriter w, List<GgufTensorInfo> infos) {
        for (GgufTensorInfo t : infos) {
            // norms near one, so that random activations keep their size; everything else near zero
            RandomFill fill = t.name().endsWith("norm.weight") ? RandomFill.NORM : RandomFill.WEIGHTS;
            w.addTensor(t.name(), t.type(), fill, t.dimsArray());
        }
        return w;
    }
}
