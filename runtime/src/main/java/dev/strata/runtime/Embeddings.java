package dev.strata.runtime;

import java.util.List;

/**
 * One vector per input, in input order.
 *
 * @param vectors      the pooled embeddings
 * @param promptTokens tokens of all inputs together
 */
public record Embeddings(List<float[]> vectors, int promptTokens) {
    public Embeddings {
        vectors = List.copyOf(vectors);
    }

    /** Length of each vector. */
    public int dimensions() {
        return vectors.isEmpty() ? 0 : vectors.get(0).length;
    }
}
