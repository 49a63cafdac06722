package dev.strata.runtime.load;

import dev.strata.llama.CorruptModelFileException;
import dev.strata.llama.ModelFileNotFoundException;
import dev.strata.llama.NotGgufException;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufFormatException;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.ModelShapeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The check every load makes before llama.cpp opens a file: Strata's own GGUF reader and shape reader
 * read the header, so a header they reject (malformed, or hyperparameters llama.cpp would meet with an
 * assertion) never reaches llama.cpp. Failures are the bridge's load exceptions, so a caller sees the
 * same types whichever path loads the model.
 *
 * <pre>{@code
 * ModelShape shape = ModelHeader.read(Path.of("model.gguf")); // CorruptModelFileException if damaged
 * }</pre>
 */
public final class ModelHeader {
    private ModelHeader() {}

    /**
     * Reads and checks the header of {@code path}.
     *
     * @throws ModelFileNotFoundException if there is no such file
     * @throws NotGgufException           if it is not a GGUF file
     * @throws CorruptModelFileException  if its header is malformed
     * @throws ModelShapeException        if its hyperparameters are ones llama.cpp refuses
     */
    public static ModelShape read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelFileNotFoundException("no model file at " + path);
        }
        GgufFile gguf;
        try {
            gguf = GgufFile.read(path);
        } catch (dev.strata.memory.gguf.NotGgufException e) {
            throw new NotGgufException(path + " is not a GGUF file: " + e.getMessage(), e);
        } catch (GgufFormatException e) {
            CorruptModelFileException typed = new CorruptModelFileException(path + ": " + e.getMessage());
            typed.initCause(e);
            throw typed;
        } catch (NoSuchFileException e) {
            throw new ModelFileNotFoundException("no model file at " + path, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GGUF header of " + path, e);
        }
        return ModelShape.of(gguf);
    }
}
