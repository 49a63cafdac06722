package dev.strata.runtime;

import dev.strata.llama.Batch;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaException;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelInfo;
import dev.strata.llama.Sampler;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A model loaded by an {@link Engine}, with one context; generates one request at a time.
 *
 * <pre>{@code
 * try (Model model = engine.load(Path.of("stories260K.gguf"), LoadOptions.defaults());
 *      TokenStream stream = model.generate(GenerationRequest.of("Once upon a time").withMaxTokens(32))) {
 *     stream.forEachRemaining(t -> System.out.print(t.text()));
 * }
 * }</pre>
 *
 * Ownership: the caller of {@link Engine#load} closes it (or the engine does, when it closes).
 * Thread-safe: a second {@link #generate} while one stream is open fails at once with
 * {@link IllegalStateException} rather than waiting.
 */
public final class Model implements AutoCloseable {
    private final LlamaModel model;
    private final LlamaContext context;
    private final Consumer<Model> onClose;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    Model(LlamaModel model, LlamaContext context, Consumer<Model> onClose) {
        this.model = model;
        this.context = context;
        this.onClose = onClose;
    }

    public Path path() {
        return model.path();
    }

    public ModelInfo info() {
        return model.info();
    }

    /** Actual context size in tokens. */
    public int contextSize() {
        return context.contextSize();
    }

    /** What the model and its context hold per buffer type. */
    public MemoryBreakdown memoryBreakdown() {
        return context.memoryBreakdown();
    }

    /**
     * Tokenizes and processes the prompt now (in batch-sized chunks), then returns a stream that
     * generates on demand.
     *
     * @throws PromptTooLongException when the prompt does not fit the context
     * @throws IllegalStateException  while another stream of this model is open, or after close
     */
    public TokenStream generate(GenerationRequest request) {
        if (closed.get()) {
            throw new IllegalStateException("model " + path().getFileName() + " is closed");
        }
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("model " + path().getFileName() + " is generating another request");
        }
        Sampler sampler = null;
        try {
            long start = System.nanoTime();
            int[] prompt = model.tokenize(request.prompt(), true, false);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("the prompt has no tokens");
            }
            if (prompt.length >= context.contextSize()) {
                throw new PromptTooLongException(prompt.length, context.contextSize());
            }
            context.clearMemory();
            sampler = Sampler.create(model, request.sampling());
            Batch batch = new Batch(context.batchSize());
            int lastIndex = 0;
            for (int from = 0; from < prompt.length; from += batch.capacity()) {
                batch.clear();
                int to = Math.min(prompt.length, from + batch.capacity());
                for (int i = from; i < to; i++) {
                    lastIndex = batch.add(prompt[i], i, 0, i == prompt.length - 1);
                }
                DecodeStatus status = context.decode(batch);
                if (status != DecodeStatus.OK) {
                    throw new LlamaException("prompt decode failed: " + status);
                }
            }
            double promptMillis = (System.nanoTime() - start) / 1e6;
            Sampler owned = sampler;
            return new TokenStream(model, context, sampler, () -> {
                owned.close();
                busy.set(false);
            }, request.maxTokens(), prompt.length, lastIndex, promptMillis);
        } catch (RuntimeException e) {
            if (sampler != null) {
                sampler.close();
            }
            busy.set(false);
            throw e;
        }
    }

    /** Frees the context and the model. Safe twice; must not race with an open stream. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                context.close();
                model.close();
            } finally {
                onClose.accept(this);
            }
        }
    }
}
