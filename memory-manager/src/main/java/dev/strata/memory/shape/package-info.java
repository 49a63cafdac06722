/**
 * The shape of a model as memory planning sees it: bytes per layer and tensor group, the input and
 * output layers, and per-layer KV-cache geometry (grouped-query heads, sliding windows, MLA), read
 * from a GGUF header with llama.cpp v0.5.0's own rules.
 *
 * <pre>{@code
 * ModelShape shape = ModelShape.of(GgufFile.read(Path.of("stories260K.gguf")));
 * shape.layerCount();                                  // 5
 * shape.layers().get(0).attention();                   // bytes of layer 0's attention matrices
 * shape.attention().layers().get(0).keyWidth();        // 32 = 4 KV heads of 8
 * }</pre>
 */
package dev.strata.memory.shape;
