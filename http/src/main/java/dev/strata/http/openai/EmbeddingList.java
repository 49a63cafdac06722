package dev.strata.http.openai;

import java.util.List;

/**
 * The answer of {@code POST /v1/embeddings}.
 *
 * @param data one item per input, in input order
 */
public record EmbeddingList(String object, List<Item> data, String model, Usage usage) {
    /** @param embedding a JSON array of floats, or base64 text of little-endian float32 values */
    public record Item(String object, int index, Object embedding) {}
}
