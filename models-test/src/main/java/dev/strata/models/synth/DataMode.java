package dev.strata.models.synth;

/**
 * What a synthetic GGUF file holds where the tensor data goes.
 *
 * <pre>{@code
 * writer.write(Path.of("70b.gguf"), DataMode.SPARSE, 0);    // kilobytes on disk, 38 GB apparent
 * writer.write(Path.of("tiny.gguf"), DataMode.RANDOM, 42);  // real, seeded, finite weights
 * }</pre>
 */
public enum DataMode {
    /**
     * Header only, then a hole up to the full length: the data reads as zeros and takes no disk
     * blocks on file systems with sparse files. Enough for llama.cpp's dry run (no_alloc, no mmap),
     * which sizes buffers without reading data; a real load would compute on all-zero weights.
     */
    SPARSE,
    /**
     * Seeded random values that llama.cpp can really run: small finite floats, and for quantized
     * types random quants under small finite fp16 block scales. Written in full, so the file takes
     * its whole size on disk.
     */
    RANDOM
}
