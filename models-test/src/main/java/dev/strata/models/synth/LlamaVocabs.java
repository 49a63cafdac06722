package dev.strata.models.synth;

import dev.strata.memory.gguf.GgufFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The vocab-only GGUF files that llama.cpp's source tree ships under {@code models/}
 * ({@code ggml-vocab-llama-bpe.gguf}, {@code ggml-vocab-qwen2.gguf}, ...): real tokenizers for
 * synthetic models. The native build records where that directory is.
 *
 * <pre>{@code
 * LlamaVocabs vocabs = LlamaVocabs.locate();
 * GgufFile qwen2 = vocabs.read("qwen2");   // 151936 tokens
 * }</pre>
 *
 * @param dir the directory holding {@code ggml-vocab-*.gguf}
 */
public record LlamaVocabs(Path dir) {
    /** System property naming the directory; wins over the native build's record. */
    public static final String DIR_PROPERTY = "strata.llama.models.dir";
    /** Where the native build records llama.cpp's source, relative to the models-test module directory. */
    public static final Path SOURCE_RECORD = Path.of("..", "native", "target", "llama-source.properties");
    /** The key of {@link #SOURCE_RECORD} that names the vocab directory. */
    public static final String MODELS_DIR_KEY = "models.dir";

    /**
     * The directory from {@value #DIR_PROPERTY}, else from the {@value #MODELS_DIR_KEY} of
     * {@link #SOURCE_RECORD} read relative to the working directory (models-test/ under Maven).
     *
     * @throws IllegalStateException if neither names an existing directory; the message says what to set
     */
    public static LlamaVocabs locate() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return existing(Path.of(configured), "system property " + DIR_PROPERTY);
        }
        Path record = SOURCE_RECORD.toAbsolutePath().normalize();
        if (!Files.isRegularFile(record)) {
            throw new IllegalStateException("cannot find llama.cpp's vocab files: set -D" + DIR_PROPERTY
                    + "=<llama.cpp>/models, or build the native module, which writes " + record);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(record)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + record, e);
        }
        String dir = p.getProperty(MODELS_DIR_KEY);
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException(record + " has no " + MODELS_DIR_KEY + "; set -D" + DIR_PROPERTY);
        }
        return existing(Path.of(dir), MODELS_DIR_KEY + " of " + record);
    }

    /** {@code ggml-vocab-<vocab>.gguf} in this directory; it may not exist. */
    public Path file(String vocab) {
        return dir.resolve("ggml-vocab-" + vocab + ".gguf");
    }

    /** Reads the header of {@code ggml-vocab-<vocab>.gguf}: the tokenizer's metadata. */
    public GgufFile read(String vocab) throws IOException {
        Path f = file(vocab);
        if (!Files.isRegularFile(f)) {
            throw new IOException("no vocab file " + f);
        }
        return GgufFile.read(f);
    }

    private static LlamaVocabs existing(Path dir, String source) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new IllegalStateException(source + " names " + abs + ", which is not a directory");
        }
        return new LlamaVocabs(abs);
    }
}
