/**
 * A pure-Java reader for the header of GGUF model files (versions 2 and 3): metadata and tensor
 * layout, never tensor data.
 *
 * <pre>{@code
 * GgufFile gguf = GgufFile.read(Path.of("stories260K.gguf"));
 * gguf.architecture();                    // "llama"
 * gguf.getLong("llama.block_count");      // 5
 * gguf.dataOffset() + gguf.tensorBytes(); // <= gguf.fileSize()
 * }</pre>
 *
 * <p>Files are untrusted input: every malformed header ends in a {@link
 * dev.strata.memory.gguf.GgufFormatException} whose message names the field and byte offset.
 */
package dev.strata.memory.gguf;
