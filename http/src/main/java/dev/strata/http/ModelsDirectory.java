package dev.strata.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.runtime.LoadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The models a server can serve: every {@code *.gguf} file of one directory under its file stem, plus
 * the ids of the directory's {@value #CONFIG_FILE} and of {@link ServerOptions#models()}. Model ids come
 * from clients, so an id never reaches outside the directory: ids with {@code /}, {@code \}, {@code ..},
 * NUL or control characters are refused, and every file is resolved through its symbolic links and must
 * lie inside the directory.
 *
 * <p>The config file maps ids to files and load options (read once, at start; new {@code .gguf} files
 * are picked up at once):
 *
 * <pre>{@code
 * {
 *   "stories":     {"file": "stories260K.gguf", "context_size": 2048, "sequences": 8,
 *                   "gpu_layers": "planned", "threads": 4, "chat_template": "command-r7b-tool_use.jinja"},
 *   "stories260K": {"context_size": 512}
 * }
 * }</pre>
 *
 * An entry without {@code file} gives options to the file of the same stem. {@code gpu_layers} is
 * {@code "planned"} (the memory planner decides; the default), {@code -1} (all), {@code 0} or a count.
 * Thread-safe.
 */
public final class ModelsDirectory {
    /** The optional config file in the models directory. */
    public static final String CONFIG_FILE = "strata-models.json";
    private static final Set<String> CONFIG_KEYS = Set.of("file", "context_size", "gpu_layers", "sequences", "threads",
            "chat_template");

    private final Path dir;
    private final Path realDir;
    private final LoadOptions defaultLoad;
    private final Map<String, ModelSpec> specs;
    private final Map<String, String> templates = new LinkedHashMap<>();

    /** One model the server can serve now. */
    public record ServedModel(String id, Path file, LoadOptions load, Optional<String> chatTemplate) {}

    /**
     * Reads the directory's config file, if any, and checks every configured id and file.
     *
     * @throws IllegalArgumentException when the directory does not exist, or the config file or a spec is wrong
     *                                  (the message names the id and what to change)
     */
    public ModelsDirectory(Path dir, Map<String, ModelSpec> extra, LoadOptions defaultLoad) {
        this.dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.dir)) {
            throw new IllegalArgumentException("the models directory " + this.dir + " does not exist");
        }
        try {
            this.realDir = this.dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the models directory " + this.dir, e);
        }
        this.defaultLoad = defaultLoad;
        Map<String, ModelSpec> all = new LinkedHashMap<>(readConfig(this.dir.resolve(CONFIG_FILE), defaultLoad));
        all.putAll(extra);
        for (Map.Entry<String, ModelSpec> e : all.entrySet()) {
            String problem = idProblem(e.getKey());
            if (problem != null) {
                throw new IllegalArgumentException("model id '" + e.getKey() + "': " + problem);
            }
            Path file = inside(e.getValue().file());
            if (file == null) {
                throw new IllegalArgumentException("model id '" + e.getKey() + "': its file " + e.getValue().file()
                        + " is missing or outside the models directory " + this.dir);
            }
            e.getValue().chatTemplate().ifPresent(t -> templates.put(e.getKey(), readTemplate(e.getKey(), t)));
        }
        this.specs = Map.copyOf(all);
    }

    public Path path() {
        return dir;
    }

    /** Every id servable now: configured ids first, then the stems of the other files, each group sorted. */
    public List<ServedModel> list() {
        Map<String, ServedModel> out = new LinkedHashMap<>();
        new TreeMap<>(specs).forEach((id, spec) -> {
            Path file = inside(spec.file());
            if (file != null) {
                out.put(id, served(id, file, spec));
            }
        });
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.gguf")) {
            List<String> stems = new ArrayList<>();
            for (Path f : files) {
                String stem = f.getFileName().toString();
                stem = stem.substring(0, stem.length() - ".gguf".length());
                if (!out.containsKey(stem) && idProblem(stem) == null && inside(f.getFileName()) != null) {
                    stems.add(stem);
                }
            }
            stems.stream().sorted().forEach(s -> out.put(s, new ServedModel(s, inside(Path.of(s + ".gguf")), defaultLoad,
                    Optional.empty())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the models directory " + dir, e);
        }
        return List.copyOf(out.values());
    }

    /**
     * The model a client's id names.
     *
     * @throws ApiError 400 for an id that looks like a path or whose file lies outside the directory,
     *                  404 model_not_found for an id with no file
     */
    public ServedModel resolve(String id) {
        if (id == null || id.isEmpty()) {
            throw ApiError.badRequest("model", "you must name a model: 'model' is missing or empty");
        }
        String problem = idProblem(id);
        if (problem != null) {
            throw ApiError.badRequest("model", "'" + printable(id) + "' is not a model id: " + problem);
        }
        ModelSpec spec = specs.get(id);
        Path relative = spec != null ? spec.file() : Path.of(id + ".gguf");
        // a link whose target is gone has no file either (it is not "outside")
        if (!Files.exists(dir.resolve(relative), java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.exists(dir.resolve(relative))) {
            throw ApiError.modelNotFound(id);
        }
        Path file = inside(relative);
        if (file == null) {
            throw ApiError.badRequest("model", "the file of model '" + id + "' lies outside the models directory");
        }
        return spec != null ? served(id, file, spec) : new ServedModel(id, file, defaultLoad, Optional.empty());
    }

    private ServedModel served(String id, Path file, ModelSpec spec) {
        return new ServedModel(id, file, spec.load().orElse(defaultLoad), Optional.ofNullable(templates.get(id)));
    }

    /** Why {@code id} cannot name a model, or null when it can. */
    static String idProblem(String id) {
        if (id.isEmpty() || id.length() > 256) {
            return "ids are 1 to 256 characters";
        }
        if (id.contains("/") || id.contains("\\") || id.contains("..")) {
            return "ids name models in the models directory and contain no '/', '\\' or '..'";
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return "ids contain no control characters (NUL, newline...)";
            }
        }
        if (id.startsWith("~") || id.matches("^[A-Za-z]:.*")) {
            return "ids are not paths";
        }
        return null;
    }

    /** The real path of a regular file inside the directory, or null when it is missing or leads outside. */
    private Path inside(Path relative) {
        if (relative.isAbsolute()) {
            return null;
        }
        try {
            Path real = dir.resolve(relative).toRealPath();
            return real.startsWith(realDir) && Files.isRegularFile(real) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    private String readTemplate(String id, Path template) {
        Path p = template.isAbsolute() ? template : dir.resolve(template);
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("model id '" + id + "': cannot read its chat template " + p + ": " + e.getMessage(), e);
        }
    }

    private static String printable(String id) {
        StringBuilder b = new StringBuilder();
        id.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static Map<String, ModelSpec> readConfig(Path config, LoadOptions defaults) {
        if (!Files.isRegularFile(config)) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(config + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(config + " must be a JSON object of model id -> {\"file\": ..., \"context_size\": ...}");
        }
        Map<String, ModelSpec> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String id = e.getKey();
            JsonNode n = e.getValue();
            String where = config.getFileName() + ", model '" + id + "'";
            if (!n.isObject()) {
                throw new IllegalArgumentException(where + ": expected an object such as {\"file\": \"" + id + ".gguf\"}");
            }
            n.fieldNames().forEachRemaining(k -> {
                if (!CONFIG_KEYS.contains(k)) {
                    throw new IllegalArgumentException(where + ": unknown key '" + k + "'; known: " + new java.util.TreeSet<>(CONFIG_KEYS));
                }
            });
            String file = n.has("file") ? text(n, "file", where) : id + ".gguf";
            LoadOptions load = defaults;
            try {
                if (n.has("context_size")) {
                    load = load.withContextSize(integer(n, "context_size", where));
                }
                if (n.has("sequences")) {
                    load = load.withSequences(integer(n, "sequences", where));
                }
                if (n.has("threads")) {
                    load = load.withThreads(integer(n, "threads", where));
                }
                if (n.has("gpu_layers")) {
                    JsonNode g = n.get("gpu_layers");
                    load = g.isTextual() && g.asText().equals("planned") ? load.withGpuLayers(LoadOptions.PLANNED)
                            : load.withGpuLayers(integer(n, "gpu_layers", where));
                }
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(where + ": " + bad.getMessage(), bad);
            }
            ModelSpec spec = new ModelSpec(Path.of(file), Optional.of(load), Optional.empty());
            if (n.has("chat_template")) {
                spec = spec.withChatTemplate(Path.of(text(n, "chat_template", where)));
            }
            out.put(id, spec);
        }
        return out;
    }

    private static String text(JsonNode n, String key, String where) {
        if (!n.get(key).isTextual()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a string");
        }
        return n.get(key).asText();
    }

    private static int integer(JsonNode n, String key, String where) {
        if (!n.get(key).canConvertToInt() || !n.get(key).isIntegralNumber()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be an integer");
        }
        return n.get(key).asInt();
    }
}
