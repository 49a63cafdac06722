package dev.strata.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Texts (or token-id inputs) to embed with an embedding model's own pooling.
 *
 * <pre>{@code
 * Embeddings e = model.embed(EmbeddingRequest.of(List.of("A man is eating food.", "A man eats bread.")));
 * float[] first = e.vectors().get(0);   // L2-normalised unless withNormalize(false)
 * }</pre>
 *
 * @param texts     inputs as text (BOS/CLS added as the tokenizer asks); empty when {@code tokens} is used
 * @param tokens    inputs as token ids, used as they are; empty when {@code texts} is used
 * @param normalize scale each vector to unit length (what cosine similarity wants)
 */
public record EmbeddingRequest(List<String> texts, List<int[]> tokens, boolean normalize) {
    public EmbeddingRequest {
        texts = List.copyOf(Objects.requireNonNull(texts, "texts"));
        List<int[]> copies = new ArrayList<>();
        for (int[] t : Objects.requireNonNull(tokens, "tokens")) {
            copies.add(Objects.requireNonNull(t, "token input").clone());
        }
        tokens = List.copyOf(copies);
        if (texts.isEmpty() == tokens.isEmpty()) {
            throw new IllegalArgumentException("give at least one input, as texts or as token ids (not both)");
        }
    }

    /** Texts, normalised. */
    public static EmbeddingRequest of(List<String> texts) {
        return new EmbeddingRequest(texts, List.of(), true);
    }

    /** Token-id inputs, normalised. */
    public static EmbeddingRequest ofTokens(List<int[]> tokens) {
        return new EmbeddingRequest(List.of(), tokens, true);
    }

    public EmbeddingRequest withNormalize(boolean n) {
        return new EmbeddingRequest(texts, tokens, n);
    }

    /** How many inputs. */
    public int size() {
        return texts.isEmpty() ? tokens.size() : texts.size();
    }
}
