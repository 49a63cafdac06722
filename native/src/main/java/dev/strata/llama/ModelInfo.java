package dev.strata.llama;

import java.util.Optional;

/**
 * Facts about a loaded model, read back from llama.cpp after load. A vocabulary-only load
 * ({@link ModelParams#vocabOnly()}) has no hyperparameters: layer, embedding, head, context and
 * expert figures are 0.
 *
 * @param architecture    GGUF {@code general.architecture}, e.g. "llama", "bert"
 * @param description     llama.cpp's one-line description, e.g. "llama ?B all F32"
 * @param layerCount      transformer blocks
 * @param embeddingSize   hidden size (n_embd)
 * @param trainingContext context length the model was trained with, in tokens
 * @param vocabularySize  tokens in the vocabulary
 * @param headCount       attention heads
 * @param kvHeadCount     key/value heads (grouped-query attention)
 * @param parameterCount  total parameters
 * @param sizeBytes       bytes of all weight tensors
 * @param expertCount     MoE experts per layer; 0 for dense models
 * @param hasEncoder      needs llama_encode (BERT-style and encoder-decoder models)
 * @param hasDecoder      generates text
 * @param chatTemplate    the model's Jinja chat template, if the GGUF carries one
 */
public record ModelInfo(String architecture, String description, int layerCount, int embeddingSize, int trainingContext,
                        int vocabularySize, int headCount, int kvHeadCount, long parameterCount, long sizeBytes,
                        int expertCount, boolean hasEncoder, boolean hasDecoder, Optional<String> chatTemplate) {

    /** Builds from {@link LlamaNative#modelFacts}: layer, embd, ctx_train, vocab, head, head_kv, params, size, enc, dec, swa, recurrent, expert, bos, eos. */
    static ModelInfo fromNative(String architecture, String description, long[] f, Optional<String> chatTemplate) {
        return new ModelInfo(architecture, description, (int) f[0], (int) f[1], (int) f[2], (int) f[3], (int) f[4],
                (int) f[5], f[6], f[7], (int) f[12], f[8] != 0, f[9] != 0, chatTemplate);
    }
}
