package dev.strata.models.synth;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test models, found as dev.strata.models.TestModels finds them; a missing model fails, never skips. */
final class SynthTestModels {
    private SynthTestModels() {}

    static Path stories() {
        return shared("stories260K.gguf");
    }

    /** A model file of ../shared/models (or -Dstrata.models.dir). */
    static Path shared(String file) {
        String configured = System.getProperty("strata.models.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "models");
        Path p = dir.toAbsolutePath().normalize().resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("test model " + p + " is missing: the tests need ../shared/models beside the project root");
        }
        return p;
    }
}
