package dev.strata.http;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.runtime.LoadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Real servers for the tests: a models directory in a JUnit temp dir with copies of the shared test
 * models ({@code strata.models.dir}, as surefire passes it), small contexts, CPU only.
 */
final class TestServers {
    static final String STORIES = "stories260K";
    static final String MINILM = "all-MiniLM-L6-v2-Q8_0";
    /** stories260K with a chat template that describes tools (Command R7B's, from llama.cpp's source). */
    static final String STORIES_TOOLS = "stories-tools";
    /** Small and fast: two threads on the 2-core CI machine, eight sequences. */
    static final LoadOptions SMALL = LoadOptions.defaults().withContextSize(1024).withThreads(2).withSequences(8);

    private static final Path TEMPLATES = Path.of(System.getProperty("user.home"),
            ".cache/strata/src/llama.cpp-v0.5.0/models/templates");
    private static final String TOOL_TEMPLATE = "CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja";

    private TestServers() {}

    static Path sharedModel(String file) {
        String configured = System.getProperty("strata.models.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "models");
        Path p = dir.resolve(file).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("test model " + p + " is missing: the tests need ../shared/models beside the project root");
        }
        return p;
    }

    /** A models directory holding copies of stories260K and all-MiniLM (never written into the shared directory). */
    static Path modelsDir(Path tmp) {
        try {
            Path dir = Files.createDirectories(tmp.resolve("models"));
            Files.copy(sharedModel(STORIES + ".gguf"), dir.resolve(STORIES + ".gguf"));
            Files.copy(sharedModel(MINILM + ".gguf"), dir.resolve(MINILM + ".gguf"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Options for a server on a free port over {@code dir}, quick to shut down. */
    static ServerOptions options(Path dir) {
        return ServerOptions.defaults(dir).withPort(0).withDefaultLoad(SMALL).withShutdownGrace(Duration.ofSeconds(5));
    }

    /** Adds {@link #STORIES_TOOLS}; skips the test where llama.cpp's templates are not cached (as ChatTest does). */
    static ServerOptions withToolModel(ServerOptions options, Path dir) {
        Path template = TEMPLATES.resolve(TOOL_TEMPLATE);
        assumeTrue(Files.isRegularFile(template), "llama.cpp's template " + template + " is not cached here");
        try {
            Files.copy(template, dir.resolve("tools.jinja"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return options.withModel(STORIES_TOOLS, ModelSpec.of(STORIES + ".gguf").withLoad(SMALL.withContextSize(4608))
                .withChatTemplate(Path.of("tools.jinja")));
    }
}
