package dev.strata.runtime;

import dev.strata.llama.Batch;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaException;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelInfo;
import dev.strata.llama.Sampler;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.ledger.Reservation;
import dev.strata.memory.plan.Placement;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
    /** The ledger hold of a planned load, released after the native memory is freed; null in explicit mode. */
    private final Reservation reservation;
    private final Placement placement;
    private final Map<DeviceId, Long> measuredBytes;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A model loaded with explicit layers: no plan, nothing reserved. */
    Model(LlamaModel model, LlamaContext context, Consumer<Model> onClose) {
        this(model, context, onClose, null, null, Map.of());
    }

    /**
     * A planned model. Takes ownership of {@code reservation}: {@link #close()} releases it once the
     * model's memory is freed.
     */
    Model(LlamaModel model, LlamaContext context, Consumer<Model> onClose, Reservation reservation, Placement placement,
            Map<DeviceId, Long> measuredBytes) {
        this.model = model;
        this.context = context;
        this.onClose = onClose;
        this.reservation = reservation;
        this.placement = placement;
        this.measuredBytes = Map.copyOf(measuredBytes);
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

    /**
     * The memory planner's placement this model was loaded with (layers per device, split, overrides,
     * predicted bytes); empty when it was loaded with explicit GPU layers.
     */
    public Optional<Placement> placement() {
        return Optional.ofNullable(placement);
    }

    /**
     * Bytes this model holds per device, measured after load and a warm-up decode at the micro-batch
     * (GPUs: the device's free memory before and after; the CPU: llama.cpp's host buffers), as committed
     * to the engine's ledger. Empty when it was loaded with explicit GPU layers.
     */
    public Map<DeviceId, Long> measuredBytes() {
        return measuredBytes;
    }

    /** The id this model holds its memory under in {@link Engine#ledger()}; empty in explicit mode. */
    public Optional<String> ledgerId() {
        return Optional.ofNullable(reservation).map(Reservation::modelId);
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

    /**
     * Frees the context and the model, then releases its ledger reservation (after, so that no budget
     * counts memory that is still in use as free). Safe twice; must not race with an open stream.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                context.close();
                model.close();
            } finally {
                if (reservation != null) {
                    reservation.close();
                }
                onClose.accept(this);
            }
        }
    }
}
