package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes llama-architecture GGUF models of any shape that llama.cpp loads: real hyperparameters
 * and tensor layout, a tokenizer borrowed from a real model, and sparse or random weights.
 *
 * <p>Names, dimensions and metadata keys follow llama.cpp itself: {@code llama_model_llama::
 * load_arch_tensors} (src/models/llama.cpp) for the tensors, {@code LLM_TENSOR_NAMES} and
 * {@code LLM_KV_NAMES} (src/llama-arch.cpp) for the names, and {@code llama_model_base::
 * load_hparams} for the key types (UINT32 sizes, FLOAT32 rope base and epsilon; it rejects others).
 *
 * <pre>{@code
 * Path stories = Path.of("models/stories260K.gguf");
 * // 38 GB apparent, kilobytes on disk: enough for llama.cpp's dry run
 * SyntheticModels.writeLlama(Path.of("70b.gguf"), LlamaShape.llama3_70b().withVocab(512),
 *         GgmlType.Q4_0, DataMode.SPARSE, 0, stories);
 * // a model that really generates (gibberish)
 * SyntheticModels.writeLlama(Path.of("tiny.gguf"), LlamaShape.tiny(), GgmlType.Q8_0, DataMode.RANDOM, 42, stories);
 * }</pre>
 */
public final class SyntheticModels {
    private static final String TOKENS_KEY = "tokenizer.ggml.tokens";

    private SyntheticModels() {}

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
        int tokens = tokenizer.findArray(TOKENS_KEY)
                .orElseThrow(() -> new IllegalArgumentException("tokenizer source has no " + TOKENS_KEY))
                .size();
        if (tokens != shape.vocabSize()) {
            // llama.cpp sizes token_embd and output by the tokenizer (vocab.n_tokens()), not by
            // llama.vocab_size, and rejects a tensor of any other shape.
            throw new IllegalArgumentException("shape " + shape.name() + " has " + shape.vocabSize()
                    + " tokens but the tokenizer has " + tokens + "; use shape.withVocab(" + tokens + ")");
        }

        GgufWriter w = new GgufWriter();
        String arch = "llama";
        w.putString("general.architecture", arch);
        w.putString("general.name", shape.name());
        quant.fileType().ifPresent(ftype -> w.putUint32("general.file_type", ftype));
        w.putUint32(arch + ".vocab_size", shape.vocabSize());
        w.putUint32(arch + ".context_length", shape.contextLength());
        w.putUint32(arch + ".embedding_length", shape.embeddingLength());
        w.putUint32(arch + ".block_count", shape.blockCount());
        w.putUint32(arch + ".feed_forward_length", shape.feedForwardLength());
        w.putUint32(arch + ".attention.head_count", shape.headCount());
        w.putUint32(arch + ".attention.head_count_kv", shape.headCountKv());
        // llama.cpp requires n_rot == head size for llama ("invalid n_rot").
        w.putUint32(arch + ".rope.dimension_count", shape.headDim());
        w.putFloat32(arch + ".rope.freq_base", shape.ropeFreqBase());
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", shape.rmsEps());
        w.copyMetadata(tokenizer, key -> key.startsWith("tokenizer."));

        addTensors(w, shape, quant);
        return w;
    }

    /** The tensors of load_arch_tensors for a dense llama, with ggml's dims order (ne0 first). */
    private static void addTensors(GgufWriter w, LlamaShape shape, LlamaQuant quant) {
        long embd = shape.embeddingLength();
        long embdKv = shape.kvEmbeddingLength();
        long ff = shape.feedForwardLength();
        long vocab = shape.vocabSize();
        GgmlType m = quant.weights();

        w.addTensor("token_embd.weight", quant.tokenEmbedding(), embd, vocab);
        w.addTensor("output_norm.weight", GgmlType.F32, RandomFill.NORM, embd);
        if (!shape.tiedEmbeddings()) {
            w.addTensor("output.weight", quant.output(), embd, vocab);
        }
        for (int i = 0; i < shape.blockCount(); i++) {
            String blk = "blk." + i + ".";
            w.addTensor(blk + "attn_norm.weight", GgmlType.F32, RandomFill.NORM, embd);
            // attn_q and attn_output are {n_embd, n_embd_head_k * n_head}, which is n_embd here
            // because the head size is n_embd / n_head (no attention.key_length key).
            w.addTensor(blk + "attn_q.weight", m, embd, embd);
            w.addTensor(blk + "attn_k.weight", m, embd, embdKv);
            w.addTensor(blk + "attn_v.weight", m, embd, embdKv);
            w.addTensor(blk + "attn_output.weight", m, embd, embd);
            w.addTensor(blk + "ffn_norm.weight", GgmlType.F32, RandomFill.NORM, embd);
            w.addTensor(blk + "ffn_gate.weight", m, embd, ff);
            w.addTensor(blk + "ffn_up.weight", m, embd, ff);
            // ne0 of ffn_down is n_ff, so n_ff must be a whole number of the type's blocks too.
            w.addTensor(blk + "ffn_down.weight", m, ff, embd);
        }
    }
}
