package dev.strata.http.openai;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/embeddings}: {@code input} is a string, an array of strings, an array of
 * token ids or an array of such arrays; {@code encoding_format} is {@code float} (the default) or
 * {@code base64} (little-endian float32, as OpenAI encodes it). {@code dimensions} is refused: a GGUF
 * embedding model has one size.
 */
public record EmbeddingsRequest(String model, JsonNode input, String encodingFormat, Integer dimensions, String user) {}
