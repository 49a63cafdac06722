package dev.strata.http.admin;

import dev.strata.runtime.LoadOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the file of a model id lies and how it loads: what the admin routes need to define an id the
 * registry does not know yet (the server's models directory answers it, with the config file's options).
 *
 * <pre>{@code
 * Function<String, Optional<ModelSource>> resolver = id -> Optional.of(new ModelSource(dir.resolve(id + ".gguf"), LoadOptions.planned()));
 * }</pre>
 *
 * @param file its GGUF file
 * @param load the options it loads with unless a load request says otherwise
 */
public record ModelSource(Path file, LoadOptions load) {
    public ModelSource {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(load, "load");
    }
}
