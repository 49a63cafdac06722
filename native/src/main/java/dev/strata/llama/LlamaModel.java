package dev.strata.llama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded GGUF model: weights placed as {@link ModelParams} say, plus its vocabulary and chat
 * template. Owns one native {@code llama_model}.
 *
 * <pre>{@code
 * LlamaBackend llama = LlamaBackend.get();
 * try (LlamaModel model = LlamaModel.load(llama, Path.of("stories260K.gguf"), ModelParams.defaults(), null)) {
 *     int[] tokens = model.tokenize("Once upon a time", true, false);
 *     System.out.println(model.info().architecture() + ": " + tokens.length + " tokens");
 * }
 * }</pre>
 *
 * <p>Ownership: the caller of {@link #load} closes the model. Contexts and samplers made from it
 * depend on it; closing the model closes them first, so none outlives its weights. Tokenizer calls
 * are thread-safe (llama.cpp's tokenizer is); {@link #close()} must not race with other calls.
 */
public final class LlamaModel implements AutoCloseable {
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private final NativeHandle handle;
    private final Path path;
    private final ModelInfo info;
    private final Set<AutoCloseable> dependents = new LinkedHashSet<>();

    private LlamaModel(long pointer, Path path) {
        this.handle = new NativeHandle(pointer, "model " + path.getFileName(), LlamaNative::modelFree);
        this.path = path;
        long[] facts = LlamaNative.modelFacts(pointer);
        String arch = meta(pointer, "general.architecture").orElse("unknown");
        String desc = new String(LlamaNative.modelDescription(pointer), StandardCharsets.UTF_8);
        byte[] template = LlamaNative.modelChatTemplate(pointer);
        this.info = ModelInfo.fromNative(arch, desc, facts,
                Optional.ofNullable(template).map(t -> new String(t, StandardCharsets.UTF_8)));
    }

    /**
     * Loads a model. Returns only when llama.cpp holds the model; the caller closes it.
     *
     * @param backend  the loaded native library
     * @param path     a GGUF file
     * @param params   placement and file options
     * @param progress told the load progress; may be null
     * @throws ModelFileNotFoundException   the path is not a readable file
     * @throws NotGgufException             the file is not GGUF
     * @throws CorruptModelFileException    the GGUF header or layout is damaged or truncated
     * @throws UnknownArchitectureException llama.cpp does not implement the model's architecture
     * @throws AllocationFailedException    a weight buffer could not be allocated
     * @throws ModelLoadException           any other load failure, with llama.cpp's reason
     */
    public static LlamaModel load(LlamaBackend backend, Path path, ModelParams params, LoadProgressListener progress) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(path, "path: give the GGUF file to load");
        Path file = path.toAbsolutePath();
        checkFile(file);
        String[] patterns = params.tensorOverrides().stream().map(TensorOverride::pattern).toArray(String[]::new);
        String[] devices = params.tensorOverrides().stream().map(TensorOverride::device).toArray(String[]::new);
        float[] split = new float[params.tensorSplit().size()];
        for (int i = 0; i < split.length; i++) {
            split[i] = params.tensorSplit().get(i);
        }
        long pointer = LlamaNative.modelLoad(file.toString().getBytes(StandardCharsets.UTF_8), params.gpuLayers(),
                params.splitMode().ordinal(), params.mainGpu(), split.length == 0 ? null : split, patterns, devices,
                params.loadMode(), params.vocabOnly(), params.noAlloc(), progress);
        try {
            return new LlamaModel(pointer, file);
        } catch (RuntimeException | Error e) {
            LlamaNative.modelFree(pointer);
            throw e;
        }
    }

    private static void checkFile(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ModelFileNotFoundException("no readable model file at " + file);
        }
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(magic, 0, 4);
            if (n < 4 || !java.util.Arrays.equals(magic, GGUF_MAGIC)) {
                throw new NotGgufException(file + " is not a GGUF file (it does not start with the bytes 'GGUF')");
            }
        } catch (IOException e) {
            throw new ModelFileNotFoundException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    public ModelInfo info() {
        return info;
    }

    /** A GGUF metadata value rendered as a string by llama.cpp; empty when absent (arrays are not supported). */
    public Optional<String> metadata(String key) {
        Objects.requireNonNull(key, "metadata key");
        if (key.indexOf('\0') >= 0) {
            // llama.cpp reads the key as a C string: "a\0b" would answer for "a"
            throw new IllegalArgumentException("a metadata key contains no NUL character; remove it from '"
                    + key.replace("\0", "\\0") + "'");
        }
        return meta(handle.get(), key);
    }

    private static Optional<String> meta(long pointer, String key) {
        byte[] v = LlamaNative.modelMeta(pointer, key.getBytes(StandardCharsets.UTF_8));
        return Optional.ofNullable(v).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * @param addSpecial   add BOS/EOS if the model asks for them
     * @param parseSpecial treat special-token text (e.g. "&lt;|im_start|&gt;") as those tokens
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text to tokenize");
        return LlamaNative.tokenize(handle.get(), text.getBytes(StandardCharsets.UTF_8), addSpecial, parseSpecial);
    }

    /** Inverse of {@link #tokenize}; ids outside the vocabulary throw {@link IllegalArgumentException}. */
    public String detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        Objects.requireNonNull(tokens, "tokens to detokenize");
        return new String(LlamaNative.detokenize(handle.get(), tokens, removeSpecial, unparseSpecial), StandardCharsets.UTF_8);
    }

    /**
     * The bytes one token stands for. A single token may hold part of a UTF-8 character, so
     * streaming text decodes pieces with a stateful decoder rather than one {@code String} per token.
     */
    public byte[] tokenPiece(int token, boolean special) {
        return LlamaNative.tokenPiece(handle.get(), token, special);
    }

    /** True for end-of-generation tokens (EOS, EOT, ...). */
    public boolean isEndOfGeneration(int token) {
        return LlamaNative.tokenIsEndOfGeneration(handle.get(), token);
    }

    /**
     * Renders messages with the model's own chat template (Jinja, through llama.cpp's common
     * library); a model without one gets llama.cpp's default (ChatML).
     *
     * @param addAssistantPrefix end with the tokens that open the assistant's reply
     * @throws ChatTemplateException when the template fails on these messages
     */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addAssistantPrefix) {
        return applyChatTemplate(messages, addAssistantPrefix, null);
    }

    /** As {@link #applyChatTemplate(List, boolean)}, with another template's Jinja source. */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addAssistantPrefix, String templateOverride) {
        Objects.requireNonNull(messages, "messages");
        for (int i = 0; i < messages.size(); i++) {
            Objects.requireNonNull(messages.get(i), "message " + i + " is null");
        }
        byte[][] roles = new byte[messages.size()][];
        byte[][] contents = new byte[messages.size()][];
        for (int i = 0; i < messages.size(); i++) {
            roles[i] = messages.get(i).role().getBytes(StandardCharsets.UTF_8);
            contents[i] = messages.get(i).content().getBytes(StandardCharsets.UTF_8);
        }
        byte[] override = templateOverride == null ? null : templateOverride.getBytes(StandardCharsets.UTF_8);
        return new String(LlamaNative.applyChatTemplate(handle.get(), roles, contents, addAssistantPrefix, override),
                StandardCharsets.UTF_8);
    }

    long pointer() {
        return handle.get();
    }

    synchronized void register(AutoCloseable dependent) {
        handle.get();
        dependents.add(dependent);
    }

    synchronized void unregister(AutoCloseable dependent) {
        dependents.remove(dependent);
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Closes open contexts and samplers of this model, then frees the model. Safe to call twice. */
    @Override
    public void close() {
        List<AutoCloseable> open;
        synchronized (this) {
            open = new ArrayList<>(dependents);
            dependents.clear();
        }
        for (AutoCloseable d : open) {
            try {
                d.close();
            } catch (Exception e) {
                // keep closing the rest; the model must still be freed
            }
        }
        handle.close();
    }

    @Override
    public String toString() {
        return "LlamaModel[" + path.getFileName() + (isClosed() ? ", closed]" : ", " + info.architecture() + "]");
    }
}
