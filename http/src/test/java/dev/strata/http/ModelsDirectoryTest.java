package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.runtime.LoadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Model ids to files: stems, aliases, options, and ids that try to leave the directory. */
class ModelsDirectoryTest {
    private static final LoadOptions DEFAULTS = LoadOptions.defaults();

    @TempDir
    Path tmp;

    private Path dir() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Files.writeString(dir.resolve("a.gguf"), "not read here");
        Files.writeString(dir.resolve("b.gguf"), "not read here");
        Files.writeString(dir.resolve("notes.txt"), "not a model");
        Files.writeString(tmp.resolve("secret.gguf"), "outside");
        return dir;
    }

    private static int status(Runnable r) {
        try {
            r.run();
            return 200;
        } catch (ApiError e) {
            return e.status();
        }
    }

    @Test
    void everyGgufIsServedUnderItsStemAndConfigAddsAliasesWithOptions() throws IOException {
        Path dir = dir();
        Files.writeString(dir.resolve(ModelsDirectory.CONFIG_FILE), """
                {"small": {"file": "a.gguf", "context_size": 512, "sequences": 2, "gpu_layers": 0},
                 "b": {"context_size": 256, "gpu_layers": "planned"}}""");
        ModelsDirectory models = new ModelsDirectory(dir, Map.of(), DEFAULTS);
        assertThat(models.list()).extracting(ModelsDirectory.ServedModel::id).containsExactly("b", "small", "a");
        ModelsDirectory.ServedModel small = models.resolve("small");
        assertThat(small.file()).isEqualTo(dir.resolve("a.gguf").toRealPath());
        assertThat(small.load().contextSize()).isEqualTo(512);
        assertThat(small.load().sequences()).isEqualTo(2);
        assertThat(models.resolve("b").load().isPlanned()).isTrue();
        assertThat(models.resolve("a").load()).isEqualTo(DEFAULTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret", "..", "sub/a", "/etc/passwd", "a\\b", "C:\\models\\a", "a\u0000", "a\nb", "~/a"})
    void idsThatLookLikePathsAreRefused(String id) throws IOException {
        ModelsDirectory models = new ModelsDirectory(dir(), Map.of(), DEFAULTS);
        assertThatThrownBy(() -> models.resolve(id)).isInstanceOf(ApiError.class)
                .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(400))
                .satisfies(e -> assertThat(((ApiError) e).param()).isEqualTo("model"));
    }

    @Test
    void unknownIdsAre404() throws IOException {
        ModelsDirectory models = new ModelsDirectory(dir(), Map.of(), DEFAULTS);
        assertThat(status(() -> models.resolve("c"))).isEqualTo(404);
        assertThat(status(() -> models.resolve("notes"))).isEqualTo(404);
        assertThat(status(() -> models.resolve("a"))).isEqualTo(200);
    }

    @Test
    void aSymlinkLeadingOutsideIsNeitherListedNorServed() throws IOException {
        Path dir = dir();
        Files.createSymbolicLink(dir.resolve("escape.gguf"), tmp.resolve("secret.gguf"));
        Files.createSymbolicLink(dir.resolve("alias.gguf"), dir.resolve("a.gguf"));
        ModelsDirectory models = new ModelsDirectory(dir, Map.of(), DEFAULTS);
        assertThat(models.list()).extracting(ModelsDirectory.ServedModel::id).containsExactly("a", "alias", "b");
        assertThat(status(() -> models.resolve("escape"))).isEqualTo(400);
        assertThat(models.resolve("alias").file()).isEqualTo(dir.resolve("a.gguf").toRealPath());
    }

    @Test
    void symlinkedDirectoriesChainsAndDanglingLinksCannotEscape() throws IOException {
        Path dir = dir();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("m.gguf"), "outside");
        Files.createSymbolicLink(dir.resolve("sub"), outside);                            // a directory link
        Files.createSymbolicLink(tmp.resolve("hop.gguf"), tmp.resolve("secret.gguf"));
        Files.createSymbolicLink(dir.resolve("chain.gguf"), tmp.resolve("hop.gguf"));     // in -> out -> out
        Files.createSymbolicLink(dir.resolve("back.gguf"), tmp.resolve("models/../models/a.gguf")); // out of the path, back in
        Files.createSymbolicLink(dir.resolve("gone.gguf"), tmp.resolve("deleted.gguf"));  // dangling
        Files.createSymbolicLink(dir.resolve("loop.gguf"), dir.resolve("loop.gguf"));     // a link to itself
        ModelsDirectory models = new ModelsDirectory(dir, Map.of(), DEFAULTS);
        assertThat(models.list()).extracting(ModelsDirectory.ServedModel::id).containsExactly("a", "b", "back");
        assertThat(status(() -> models.resolve("chain"))).isEqualTo(400);
        assertThat(models.resolve("back").file()).isEqualTo(dir.resolve("a.gguf").toRealPath());
        assertThat(status(() -> models.resolve("gone"))).isEqualTo(404);
        assertThat(status(() -> models.resolve("loop"))).isEqualTo(404);

        Files.writeString(dir.resolve(ModelsDirectory.CONFIG_FILE), "{\"x\": {\"file\": \"sub/m.gguf\"}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("outside the models directory");
        Files.writeString(dir.resolve(ModelsDirectory.CONFIG_FILE), "{\"x\": {\"file\": \"" + tmp.resolve("secret.gguf") + "\"}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("outside the models directory");
        Files.writeString(dir.resolve(ModelsDirectory.CONFIG_FILE), "{\"x\": {\"file\": \"chain.gguf\"}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("outside the models directory");
    }

    @Test
    void aConfigThatPointsOutsideOrIsMistypedIsRefusedAtStart() throws IOException {
        Path dir = dir();
        Path config = dir.resolve(ModelsDirectory.CONFIG_FILE);
        Files.writeString(config, "{\"x\": {\"file\": \"../secret.gguf\"}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("outside the models directory");
        Files.writeString(config, "{\"x\": {\"file\": \"a.gguf\", \"ctx\": 512}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("unknown key 'ctx'");
        Files.writeString(config, "{\"x\": {\"file\": \"a.gguf\", \"context_size\": \"big\"}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("'context_size' must be an integer");
        Files.writeString(config, "{\"x\": {\"file\": \"a.gguf\", \"sequences\": 0}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("sequences");
        Files.writeString(config, "{\"../x\": {\"file\": \"a.gguf\"}}");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("'../x'");
        Files.writeString(config, "[1]");
        assertThatThrownBy(() -> new ModelsDirectory(dir, Map.of(), DEFAULTS)).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> new ModelsDirectory(tmp.resolve("none"), Map.of(), DEFAULTS)).hasMessageContaining("does not exist");
    }
}
