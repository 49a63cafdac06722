package dev.strata.runtime;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.LoadProgressListener;
import dev.strata.llama.ModelParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strata embedded in a JVM application: loads GGUF models and generates text with them.
 *
 * <pre>{@code
 * try (Engine engine = Engine.create();
 *      Model model = engine.load(Path.of("stories260K.gguf"), LoadOptions.defaults());
 *      TokenStream stream = model.generate(GenerationRequest.of("Once upon a time").withMaxTokens(64))) {
 *     stream.forEachRemaining(token -> System.out.print(token.text()));
 *     System.out.println();
 *     System.out.println(stream.result().tokensPerSecond() + " tokens/s");
 * }
 * }</pre>
 *
 * Thread-safe. Closing the engine closes every model it loaded.
 */
public final class Engine implements AutoCloseable {
    /** Context size when the options leave it to the engine, unless the model was trained on less. */
    static final int DEFAULT_CONTEXT = 4096;

    private final LlamaBackend backend;
    private final Set<Model> models = ConcurrentHashMap.newKeySet();

    private Engine(LlamaBackend backend) {
        this.backend = backend;
    }

    /** An engine over the native library this JVM loads (see {@link LlamaBackend#get()}). */
    public static Engine create() {
        return new Engine(LlamaBackend.get());
    }

    /** An engine over an already loaded backend. */
    public static Engine create(LlamaBackend backend) {
        return new Engine(backend);
    }

    public LlamaBackend backend() {
        return backend;
    }

    /** Loads a model and creates its context. The caller closes the model, or closes the engine. */
    public Model load(Path path, LoadOptions options) {
        return load(path, options, null);
    }

    /** As {@link #load(Path, LoadOptions)}, reporting load progress. */
    public Model load(Path path, LoadOptions options, LoadProgressListener progress) {
        LlamaModel llamaModel = LlamaModel.load(backend, path, ModelParams.defaults().withGpuLayers(options.gpuLayers()),
                progress);
        try {
            int contextSize = options.contextSize() > 0 ? options.contextSize()
                    : Math.min(DEFAULT_CONTEXT, Math.max(llamaModel.info().trainingContext(), 1));
            LlamaContext context = LlamaContext.create(llamaModel, ContextParams.defaults()
                    .withContextSize(contextSize).withThreads(options.threads(), options.threads()));
            Model model = new Model(llamaModel, context, models::remove);
            models.add(model);
            return model;
        } catch (RuntimeException e) {
            llamaModel.close();
            throw e;
        }
    }

    /** Models loaded and not yet closed. */
    public List<Model> models() {
        return List.copyOf(models);
    }

    @Override
    public void close() {
        for (Model m : new ArrayList<>(models)) {
            m.close();
        }
    }
}
