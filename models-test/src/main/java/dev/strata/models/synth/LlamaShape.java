package dev.strata.models.synth;

/**
 * The hyperparameters of a llama-architecture model: everything that decides its tensor shapes
 * and so its size, and nothing about its weights.
 *
 * <p>A synthetic model borrows its tokenizer from a real GGUF file, and llama.cpp sizes the
 * embedding and output matrices by the tokenizer's token count, so {@link #vocabSize()} must equal
 * it: take a named shape and {@link #withVocab(int)} the tokenizer's count. The real vocabulary
 * size only changes the bytes of {@code token_embd} and {@code output} (for the 8B shape in Q4_0,
 * 128256 tokens are 0.59 GB of 4.52 GB), never the layers.
 *
 * <pre>{@code
 * LlamaShape shape = LlamaShape.llama3_8b().withVocab(512);   // stories260K's tokenizer
 * int headDim = shape.headDim();                              // 128
 * }</pre>
 *
 * @param name              {@code general.name}
 * @param vocabSize         tokens; rows of the embedding and output matrices
 * @param embeddingLength   n_embd
 * @param blockCount        n_layer
 * @param feedForwardLength n_ff
 * @param headCount         n_head; divides n_embd
 * @param headCountKv       n_head_kv; divides n_head (grouped-query attention)
 * @param contextLength     n_ctx_train
 * @param ropeFreqBase      RoPE base frequency
 * @param rmsEps            RMS-norm epsilon
 * @param tiedEmbeddings    no {@code output.weight}: llama.cpp then reuses {@code token_embd.weight}
 */
public record LlamaShape(String name, int vocabSize, int embeddingLength, int blockCount, int feedForwardLength,
                         int headCount, int headCountKv, int contextLength, float ropeFreqBase, float rmsEps,
                         boolean tiedEmbeddings) {

    /** @throws IllegalArgumentException for non-positive sizes or heads that do not divide evenly */
    public LlamaShape {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (vocabSize <= 0 || embeddingLength <= 0 || blockCount <= 0 || feedForwardLength <= 0
                || headCount <= 0 || headCountKv <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + name);
        }
        if (embeddingLength % headCount != 0 || headCount % headCountKv != 0) {
            throw new IllegalArgumentException(name + ": n_embd " + embeddingLength + ", n_head " + headCount
                    + " and n_head_kv " + headCountKv + " do not divide evenly");
        }
        if (!(ropeFreqBase > 0) || !(rmsEps > 0)) {
            throw new IllegalArgumentException(name + ": rope base and rms epsilon must be positive");
        }
    }

    /**
     * Small enough to load and generate on a CPU in milliseconds: 2 layers of n_embd 256. Sizes
     * are multiples of 256, so every quantized type fits, k-quants included.
     */
    public static LlamaShape tiny() {
        return new LlamaShape("synthetic-tiny", 512, 256, 2, 512, 4, 2, 512, 10000f, 1e-5f, false);
    }

    /**
     * Llama 3 8B (and 3.1 8B, without its rope-scaling factors). With a borrowed vocabulary under
     * 40000 tokens llama.cpp calls it "7B": it tells the 32-layer sizes apart by vocabulary size.
     */
    public static LlamaShape llama3_8b() {
        return new LlamaShape("synthetic-llama3-8b", 128256, 4096, 32, 14336, 32, 8, 8192, 500000f, 1e-5f, false);
    }

    /** Llama 3 70B (and 3.1 70B, without its rope-scaling factors). */
    public static LlamaShape llama3_70b() {
        return new LlamaShape("synthetic-llama3-70b", 128256, 8192, 80, 28672, 64, 8, 8192, 500000f, 1e-5f, false);
    }

    /** This shape with another vocabulary size, typically a borrowed tokenizer's token count. */
    public LlamaShape withVocab(int tokens) {
        return new LlamaShape(name, tokens, embeddingLength, blockCount, feedForwardLength, headCount, headCountKv,
                contextLength, ropeFreqBase, rmsEps, tiedEmbeddings);
    }

    /** This shape with {@code general.name} set to {@code newName}. */
    public LlamaShape withName(String newName) {
        return new LlamaShape(newName, vocabSize, embeddingLength, blockCount, feedForwardLength, headCount, headCountKv,
                contextLength, ropeFreqBase, rmsEps, tiedEmbeddings);
    }

    /** This shape with another number of layers. */
    public LlamaShape withBlockCount(int layers) {
        return new LlamaShape(name, vocabSize, embeddingLength, layers, feedForwardLength, headCount, headCountKv,
                contextLength, ropeFreqBase, rmsEps, tiedEmbeddings);
    }

    /** This shape with or without a separate {@code output.weight}. */
    public LlamaShape withTiedEmbeddings(boolean tied) {
        return new LlamaShape(name, vocabSize, embeddingLength, blockCount, feedForwardLength, headCount, headCountKv,
                contextLength, ropeFreqBase, rmsEps, tied);
    }

    /** Size of one attention head: n_embd / n_head; also {@code rope.dimension_count}. */
    public int headDim() {
        return embeddingLength / headCount;
    }

    /** Width of the K and V projections: head size times n_head_kv ({@code n_embd_k_gqa}). */
    public int kvEmbeddingLength() {
        return headDim() * headCountKv;
    }

    /** Number of weights over all tensors, norms included. */
    public long parameterCount() {
        long e = embeddingLength;
        long perLayer = 2 * e                              // attn_norm, ffn_norm
                + 2 * e * e                                // attn_q, attn_output
                + 2 * e * kvEmbeddingLength()              // attn_k, attn_v
                + 3 * e * feedForwardLength;               // ffn_gate, ffn_up, ffn_down
        long embeddings = e * vocabSize * (tiedEmbeddings ? 1 : 2);
        return embeddings + e + blockCount * perLayer;     // + output_norm
    }
}
