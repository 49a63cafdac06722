package dev.strata.http;

import dev.strata.runtime.LoadOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One model id the server serves: its file in the models directory, how it loads, and the chat template
 * to use instead of the one in the file.
 *
 * <pre>{@code
 * ModelSpec tools = ModelSpec.of("stories260K.gguf")
 *         .withLoad(LoadOptions.defaults().withContextSize(2048).withSequences(8))
 *         .withChatTemplate(Path.of("command-r7b-tool_use.jinja"));
 * }</pre>
 *
 * @param file         the GGUF file, relative to the models directory (it must stay inside it)
 * @param load         how it loads; empty = the server's default
 * @param chatTemplate a Jinja chat template file (relative to the models directory, or absolute) that
 *                     replaces the model's own, e.g. one that describes tools; empty = the model's own
 */
public record ModelSpec(Path file, Optional<LoadOptions> load, Optional<Path> chatTemplate) {
    public ModelSpec {
        Objects.requireNonNull(file, "file");
        load = load == null ? Optional.empty() : load;
        chatTemplate = chatTemplate == null ? Optional.empty() : chatTemplate;
    }

    public static ModelSpec of(String file) {
        return new ModelSpec(Path.of(file), Optional.empty(), Optional.empty());
    }

    public ModelSpec withLoad(LoadOptions options) {
        return new ModelSpec(file, Optional.of(options), chatTemplate);
    }

    public ModelSpec withChatTemplate(Path template) {
        return new ModelSpec(file, load, Optional.of(template));
    }
}
