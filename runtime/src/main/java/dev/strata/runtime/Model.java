package dev.strata.runtime;

import dev.strata.llama.Batch;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaException;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelInfo;
import dev.strata.llama.Pooling;
import dev.strata.llama.Sampler;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.ledger.Reservation;
import dev.strata.memory.plan.Placement;
import java.nio.file.Path;
import dev.strata.llama.LlamaBackend;
import dev.strata.runtime.chat.ChatFormatter;
import dev.strata.runtime.chat.ChatGeneration;
import dev.strata.runtime.chat.ChatParser;
import dev.strata.runtime.chat.ChatPrompt;
import dev.strata.runtime.chat.ChatRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A model loaded by an {@link Engine}, with one context whose decode loop serves every request
 * submitted to it at once (continuous batching over up to {@link #sequences()} sequences).
 *
 * <pre>{@code
 * try (Model model = engine.load(Path.of("stories260K.gguf"), LoadOptions.defaults().withSequences(8))) {
 *     Generation a = model.submit(GenerationRequest.of("Once upon a time").withMaxTokens(32));
 *     Generation b = model.submit(GenerationRequest.of("The dog").withMaxTokens(32));
 *     try (TokenStream s = a.tokens()) {
 *         s.forEachRemaining(t -> System.out.print(t.text()));
 *     }
 *     System.out.println(b.result().join().text());
 * }
 * }</pre>
 *
 * Ownership: the caller of {@link Engine#load} closes it (or the engine does, when it closes).
 * Thread-safe: any thread may submit; native calls on the context happen only on the model's
 * decode-loop thread.
 */
public final class Model implements AutoCloseable {
    private final LlamaModel model;
    private final LlamaContext context;
    private final Consumer<Model> onClose;
    /** The ledger hold of a planned load, released after the native memory is freed; null in explicit mode. */
    private final Reservation reservation;
    private final Placement placement;
    private final Map<DeviceId, Long> measuredBytes;
    private final MemoryBreakdown memoryAtLoad;
    private final boolean embedding;
    private final DecodeLoop loop;
    private final Object lifecycle = new Object();
    private ModelState state = ModelState.READY;
    private boolean releasing;
    private volatile ChatFormatter formatter;
    private final ChatParser chatParser;

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
        // read here, on the loading thread, before the decode loop owns the context
        this.memoryAtLoad = context.memoryBreakdown();
        this.embedding = context.pooling() != Pooling.NONE && context.pooling() != Pooling.UNSPECIFIED;
        this.loop = new DecodeLoop(model.path().getFileName().toString(), model, context);
        this.chatParser = new ChatParser(LlamaBackend.get());
    }

    public Path path() {
        return model.path();
    }

    public ModelInfo info() {
        return model.info();
    }

    /** Actual context size in tokens: the KV cells all sequences share. */
    public int contextSize() {
        return context.contextSize();
    }

    /** Sequences decoded together at most (n_seq_max); more requests wait in the queue. */
    public int sequences() {
        return context.sequences();
    }

    /** Whether this is an embedding model (it pools; {@link #embed} works and {@link #submit} does not). */
    public boolean isEmbeddingModel() {
        return embedding;
    }

    public ModelState state() {
        synchronized (lifecycle) {
            return state;
        }
    }

    /** Requests queued or running (and embedding batches not yet done). */
    public int activeRequests() {
        return loop.unfinished();
    }

    /** Sequences in the current decode step's batch set. */
    public int runningSequences() {
        return loop.runningCount();
    }

    /** KV cells holding tokens (running sequences and cached prefixes) out of {@link #contextSize()}. */
    public int kvCellsUsed() {
        return loop.cellsUsed();
    }

    /** Applies the load options that concern the decode loop. */
    Model configure(LoadOptions options) {
        loop.keepPrefixes(options.prefixCache());
        return this;
    }

    /** Sequences put back in the queue for lack of KV cells since load (a context too small for the load). */
    public long preemptions() {
        return loop.preemptions();
    }

    /** Of {@link #preemptions()}, those resumed from their saved KV cells rather than recomputed. */
    public long restoredPreemptions() {
        return loop.restores();
    }

    /**
     * Where the decode loop's time went since load: decode calls, sampler calls and the host work
     * around them (see {@link StepTiming}). Take two and {@link StepTiming#since subtract} to time a stretch.
     * Updated when a step ends, which is just after the step delivered its tokens and results.
     */
    public StepTiming stepTiming() {
        return loop.timing();
    }

    /** When the last request arrived or finished, as {@link System#nanoTime()}. */
    public long lastActivityNanos() {
        return loop.lastActivityNanos();
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
     * What the model and its context held per buffer type once loaded (after the warm-up decode, for a
     * planned load): weights, KV cache and compute buffers per device. They are allocated up front and
     * keep their size while the model is loaded, so this is what an administration listing or a metrics
     * scrape reports, read without a native call on a thread other than the decode loop's.
     *
     * <pre>{@code
     * MemoryBreakdown m = model.memoryAtLoad();
     * m.modelBytes();   // weights, all devices
     * m.bytesOn("CUDA0");
     * }</pre>
     */
    public MemoryBreakdown memoryAtLoad() {
        return memoryAtLoad;
    }

    /** Tokens of {@code text} as this model's tokenizer makes them (BOS added if the model asks for one). */
    public int[] tokenize(String text) {
        return model.tokenize(text, true, false);
    }

    /**
     * Queues a request and returns at once; the decode loop batches it with the others.
     *
     * @throws PromptTooLongException   when the prompt does not fit the context (checked now, never truncated)
     * @throws IllegalArgumentException an empty prompt, token ids outside the vocabulary, a grammar that
     *                                  does not parse
     * @throws ModelClosedException     when the model is closing or closed
     */
    public Generation submit(GenerationRequest request) {
        if (embedding) {
            throw new IllegalStateException(path().getFileName() + " is an embedding model; use embed()");
        }
        requireReady();
        int[] prompt = request.prompt() != null ? model.tokenize(request.prompt(), true, request.specialTokens())
                : request.promptTokens();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        int vocab = model.info().vocabularySize();
        for (int t : prompt) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("prompt token " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (prompt.length >= context.contextSize()) {
            throw new PromptTooLongException(prompt.length, context.contextSize());
        }
        Sampler sampler = Sampler.create(model, request.sampling());
        Generation generation = new Generation(request, loop::wake);
        synchronized (lifecycle) {
            if (state != ModelState.READY) {
                sampler.close();
                throw new ModelClosedException(path().getFileName().toString());
            }
            loop.submit(new Sequence(generation, prompt, sampler, request, specialIds(request.preservedTokens())));
        }
        return generation;
    }

    /** The ids of special tokens written as text; a text that is not one token is ignored. */
    private Set<Integer> specialIds(List<String> texts) {
        Set<Integer> ids = new HashSet<>();
        for (String t : texts) {
            int[] one = model.tokenize(t, false, true);
            if (one.length == 1) {
                ids.add(one[0]);
            }
        }
        return Set.copyOf(ids);
    }

    /**
     * Answers a conversation: renders it with the model's chat template (tools, response format and
     * reasoning as the template expresses them), generates under the grammar that enforces them, and
     * parses the answer into a message with tool calls as structured objects.
     *
     * <pre>{@code
     * ChatGeneration g = model.chat(ChatRequest.of(List.of(Message.user("What is the weather in Paris?")))
     *         .withTools(List.of(weatherTool)));
     * ChatResult r = g.result().join();
     * r.message().toolCalls();   // [ToolCall[id=..., name=get_weather, argumentsJson={"city":"Paris"}]]
     * }</pre>
     *
     * With {@link ChatRequest#withLogprobs(int)}, the generation's tokens ({@link ChatGeneration#generation()})
     * carry their log-probabilities.
     */
    public ChatGeneration chat(ChatRequest request) {
        return chat(request, chatFormatter().format(request));
    }

    /** As {@link #chat(ChatRequest)} with another Jinja template than the model's own. */
    public ChatGeneration chat(ChatRequest request, String jinjaTemplate) {
        return chat(request, ChatFormatter.withTemplate(model, jinjaTemplate).format(request));
    }

    private ChatGeneration chat(ChatRequest request, ChatPrompt prompt) {
        GenerationRequest generation = prompt.toGenerationRequest();
        if (request.topLogprobs() != GenerationRequest.LOGPROBS_OFF) {
            generation = generation.withLogprobs(request.topLogprobs());
        }
        return new ChatGeneration(submit(generation), prompt.parseFormat(), chatParser);
    }

    /** This model's chat formatter (its own template, or llama.cpp's ChatML fallback). */
    public ChatFormatter chatFormatter() {
        ChatFormatter f = formatter;
        if (f == null) {
            f = ChatFormatter.forModel(model);
            formatter = f;
        }
        return f;
    }

    /** {@code submit(request).tokens()}: the tokens as an iterator. */
    public TokenStream generate(GenerationRequest request) {
        return submit(request).tokens();
    }

    /**
     * Embeds the inputs, as many per decode as the batch and sequences allow, with the model's
     * pooling; waits for the result.
     *
     * @throws PromptTooLongException when an input has more tokens than one micro-batch holds
     */
    public Embeddings embed(EmbeddingRequest request) {
        if (!embedding) {
            throw new IllegalStateException(path().getFileName() + " does not pool its output (pooling "
                    + context.pooling() + "); load an embedding model for embeddings");
        }
        requireReady();
        List<int[]> inputs = new ArrayList<>();
        if (!request.texts().isEmpty()) {
            request.texts().forEach(t -> inputs.add(model.tokenize(t, true, false)));
        } else {
            inputs.addAll(request.tokens());
        }
        int limit = Math.min(context.microBatch(), context.contextSize());
        int vocab = model.info().vocabularySize();
        for (int[] in : inputs) {
            if (in.length == 0) {
                throw new IllegalArgumentException("an embedding input has no tokens");
            }
            if (in.length > limit) {
                throw new PromptTooLongException(in.length, limit);
            }
            for (int t : in) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("token " + t + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        try {
            return loop.exclusive(ctx -> embedOnLoop(ctx, inputs, request.normalize())).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void requireReady() {
        synchronized (lifecycle) {
            if (state != ModelState.READY) {
                throw new ModelClosedException(path().getFileName().toString());
            }
        }
    }

    /** Runs on the decode loop: packs inputs into batches of distinct sequences, decodes, pools. */
    private static Embeddings embedOnLoop(LlamaContext ctx, List<int[]> inputs, boolean normalize) {
        List<float[]> out = new ArrayList<>();
        int tokens = 0;
        Batch batch = new Batch(ctx.batchSize());
        int i = 0;
        while (i < inputs.size()) {
            batch.clear();
            int first = i;
            while (i < inputs.size() && i - first < ctx.sequences()
                    && batch.size() + inputs.get(i).length <= batch.capacity()) {
                int[] in = inputs.get(i);
                for (int p = 0; p < in.length; p++) {
                    batch.add(in[p], p, i - first, true);
                }
                tokens += in.length;
                i++;
            }
            ctx.clearMemory();
            DecodeStatus status = ctx.decode(batch);
            if (status != DecodeStatus.OK) {
                throw new LlamaException("embedding decode of " + batch.size() + " tokens failed: " + status);
            }
            for (int s = 0; s < i - first; s++) {
                float[] v = ctx.sequenceEmbedding(s);
                out.add(normalize ? unit(v) : v);
            }
        }
        ctx.clearMemory();
        return new Embeddings(out, tokens);
    }

    private static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        if (norm == 0) {
            return v;
        }
        float[] u = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            u[k] = (float) (v[k] / norm);
        }
        return u;
    }

    /**
     * Closes the model only if no request is queued or running; new requests are refused from then
     * on. What a registry calls to evict without cutting off a request.
     *
     * @return whether it closed
     */
    public boolean closeIfIdle() {
        if (!retireIfIdle()) {
            return false;
        }
        close();
        return true;
    }

    /** First half of {@link #closeIfIdle()}: refuses new requests if idle; the caller then calls {@link #close()}. */
    boolean retireIfIdle() {
        synchronized (lifecycle) {
            if (state != ModelState.READY || loop.unfinished() > 0) {
                return false;
            }
            state = ModelState.CLOSING;
            return true;
        }
    }

    /**
     * Ends running and queued requests with CANCELLED, frees the context and the model, then releases
     * its ledger reservation (after, so that no budget counts memory still in use as free). Safe twice.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == ModelState.READY) {
                state = ModelState.CLOSING;
            } else if (state != ModelState.CLOSING || releasing) {
                return;
            }
            releasing = true; // a retired model is released by the close() that follows retireIfIdle()
        }
        release();
    }

    private void release() {
        try {
            loop.stop();
            context.close();
            model.close();
        } finally {
            if (reservation != null) {
                reservation.close();
            }
            synchronized (lifecycle) {
                state = ModelState.CLOSED;
            }
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "Model[" + path().getFileName() + ", " + state() + "]";
    }
}
