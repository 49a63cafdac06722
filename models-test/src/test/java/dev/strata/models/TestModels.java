package dev.strata.models;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test models in {@code ../shared/models}; a missing model fails the test, never skips it. */
public final class TestModels {
    private TestModels() {}

    public static Path dir() {
        String configured = System.getProperty("strata.models.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "models");
        return dir.toAbsolutePath().normalize();
    }

    public static Path path(String file) {
        Path p = dir().resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("test model " + p + " is missing: the tests need ../shared/models beside the project root");
        }
        return p;
    }

    public static Path stories() {
        return path("stories260K.gguf");
    }

    public static Path storiesMoe() {
        return path("stories260K-moe4x2.gguf");
    }

    public static Path miniLm() {
        return path("all-MiniLM-L6-v2-Q8_0.gguf");
    }

    public static Path tinyRandom() {
        return path("llama-2-tiny-random.gguf");
    }

    /** True when this machine has an NVIDIA GPU; GPU tests skip only when it has none. */
    public static boolean gpuPresent() {
        return Files.exists(Path.of("/dev/nvidia0"));
    }
}
