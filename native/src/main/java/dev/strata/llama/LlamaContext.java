package dev.strata.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An inference context over a {@link LlamaModel}: the KV cache of up to {@code sequences} parallel
 * sequences, compute buffers, and the last decode's logits or embeddings. Owns one native
 * {@code llama_context}.
 *
 * <pre>{@code
 * try (LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(512))) {
 *     Batch batch = new Batch(ctx.batchSize());
 *     batch.add(model.tokenize("Hello", true, false)[0], 0, 0, true);
 *     if (ctx.decode(batch) != DecodeStatus.OK) throw new IllegalStateException();
 *     float[] logits = ctx.logits(0);
 * }
 * }</pre>
 *
 * <p>Ownership: the caller of {@link #create} closes the context; closing its model closes it too.
 * Not thread-safe: one thread at a time (the runtime gives each context one owner thread), except
 * {@link #requestAbort()}, which any thread may call to stop a running decode.
 */
public final class LlamaContext implements AutoCloseable {
    private final NativeHandle handle;
    private final LlamaModel model;
    private final int contextSize;
    private final int batchSize;
    private final int microBatch;
    private final int sequences;
    private final Pooling pooling;
    private final int vocabularySize;
    private final int embeddingSize;
    private final boolean backendSampling;

    private LlamaContext(long pointer, LlamaModel model, boolean backendSampling) {
        this.handle = new NativeHandle(pointer, "context of " + model.path().getFileName(), LlamaNative::contextFree);
        this.model = model;
        int[] f = LlamaNative.contextFacts(pointer);
        this.contextSize = f[0];
        this.batchSize = f[1];
        this.microBatch = f[2];
        this.sequences = f[3];
        this.pooling = Pooling.fromNative(f[4]);
        this.vocabularySize = f[5];
        this.embeddingSize = f[6];
        this.backendSampling = backendSampling;
    }

    /**
     * Creates a context; the caller closes it.
     *
     * @throws AllocationFailedException when the KV cache or compute buffers do not fit
     * @throws IllegalArgumentException  for sizes outside what llama.cpp accepts
     */
    public static LlamaContext create(LlamaModel model, ContextParams p) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(p, "params");
        long pointer = LlamaNative.contextCreate(model.pointer(), p.contextSize(), p.batchSize(), p.microBatch(),
                p.sequences(), p.threads(), p.batchThreads(), p.flashAttention().value, p.typeK().ggmlType,
                p.typeV().ggmlType, p.embeddings(), p.pooling().value, p.kvUnified(), p.offloadKqv(), p.swaFull(),
                p.backendSampling());
        LlamaContext context;
        try {
            context = new LlamaContext(pointer, model, p.backendSampling() && !p.embeddings());
        } catch (RuntimeException | Error e) {
            LlamaNative.contextFree(pointer);
            throw e;
        }
        model.register(context);
        return context;
    }

    public LlamaModel model() {
        return model;
    }

    /** Actual KV-cache size in tokens over all sequences (llama.cpp pads what was asked). */
    public int contextSize() {
        return contextSize;
    }

    /** Most tokens one {@link #decode} call may carry. */
    public int batchSize() {
        return batchSize;
    }

    public int microBatch() {
        return microBatch;
    }

    public int sequences() {
        return sequences;
    }

    public Pooling pooling() {
        return pooling;
    }

    /**
     * Runs the model over the batch. Tokens, positions and sequence ids are checked first; a bad
     * one throws {@link IllegalArgumentException} instead of reaching llama.cpp.
     */
    public DecodeStatus decode(Batch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.size() == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (batch.size() > batchSize) {
            throw new IllegalArgumentException("batch of " + batch.size() + " tokens exceeds this context's batch size " + batchSize);
        }
        return DecodeStatus.fromNative(LlamaNative.decode(handle.get(), batch.tokens, batch.positions, batch.sequences,
                batch.outputs, batch.size()));
    }

    /** Whether this context samples greedy tokens in the graph ({@link ContextParams#backendSampling()}). */
    public boolean backendSampling() {
        return backendSampling;
    }

    /**
     * With {@link #backendSampling() backend sampling}, whether {@code sequence}'s outputs are sampled
     * greedily in the graph (the default) or have their logits rows copied back to be read: a sequence
     * whose next request reads rows (logprobs, a non-greedy {@link Sampler}, a grammar) is taken out
     * before its first decode, and may be put back after. Reading a row sampled in the graph throws
     * {@link IllegalArgumentException}. Each change makes llama.cpp re-reserve its compute graphs at the
     * next decode (milliseconds), so the runtime changes a sequence only when its next request needs it.
     *
     * <pre>{@code
     * context.sampleInGraph(3, false);   // sequence 3 asks for logprobs
     * context.decode(batch);
     * SampledToken t = sampler.sampleWithLogprobs(context, index, 5);
     * }</pre>
     *
     * @throws IllegalArgumentException without backend sampling, or for a sequence id out of range
     */
    public void sampleInGraph(int sequence, boolean on) {
        LlamaNative.sampleInGraph(handle.get(), sequence, on);
    }

    /**
     * How many decodes since this context was made reused llama.cpp's previous compute graph instead of
     * building one. A step that reuses skips graph build and allocation; a multi-sequence step reuses only
     * when its shape (tokens, outputs, their sequences in order, KV cells attended) matches the last one.
     *
     * <pre>{@code
     * int before = context.graphsReused();
     * context.decode(batch);
     * boolean reused = context.graphsReused() > before;
     * }</pre>
     */
    public int graphsReused() {
        return LlamaNative.graphsReused(handle.get());
    }

    /**
     * Asks a running (or the next) decode to stop between micro-batches; it returns
     * {@link DecodeStatus#ABORTED}. Safe from any thread. Stays set until {@link #clearAbort()}.
     * llama.cpp checks it only during CPU computation.
     */
    public void requestAbort() {
        LlamaNative.setAbort(handle.get(), true);
    }

    public void clearAbort() {
        LlamaNative.setAbort(handle.get(), false);
    }

    /** Logits (vocabulary size) of the token at {@code batchIndex} of the last decode; it must have been an output. */
    public float[] logits(int batchIndex) {
        return LlamaNative.logits(handle.get(), batchIndex);
    }

    /** Per-token embedding of the last decode (pooling NONE). */
    public float[] embedding(int batchIndex) {
        return LlamaNative.embeddings(handle.get(), batchIndex);
    }

    /** Pooled embedding of a sequence after the last decode (pooling MEAN, CLS, LAST). */
    public float[] sequenceEmbedding(int sequence) {
        return LlamaNative.sequenceEmbeddings(handle.get(), sequence);
    }

    /** Removes positions [from, to) of a sequence from the KV cache; -1 for open ends, sequence -1 for all. */
    public boolean removeTokens(int sequence, int from, int to) {
        return LlamaNative.seqRemove(handle.get(), sequence, from, to);
    }

    /** Makes positions [from, to) of {@code source} visible to {@code target} too (prefix sharing). */
    public void copySequence(int source, int target, int from, int to) {
        LlamaNative.seqCopy(handle.get(), source, target, from, to);
    }

    /** Drops every sequence but this one. */
    public void keepOnly(int sequence) {
        LlamaNative.seqKeep(handle.get(), sequence);
    }

    /**
     * A copy of one sequence's KV cells (positions and data), to take it out of the cache with
     * {@link #removeTokens} and put it back later exactly as it was.
     */
    public byte[] saveSequence(int sequence) {
        return LlamaNative.seqStateSave(handle.get(), sequence);
    }

    /**
     * Puts a sequence saved by {@link #saveSequence} back under {@code sequence}, which must be empty.
     *
     * @return false when the cache has no room for its cells; nothing changed then
     */
    public boolean restoreSequence(int sequence, byte[] state) {
        return LlamaNative.seqStateRestore(handle.get(), sequence, state);
    }

    /** Highest position of a sequence in the KV cache, or -1 when it is empty. */
    public int lastPosition(int sequence) {
        return LlamaNative.seqPosMax(handle.get(), sequence);
    }

    /** Empties the whole KV cache (nothing to do for an encoder-only embedding context). */
    public void clearMemory() {
        LlamaNative.memoryClear(handle.get());
    }

    /** Bytes per buffer type held by the model and this context (sizes only, for a dry run). */
    public MemoryBreakdown memoryBreakdown() {
        long pointer = handle.get();
        String[] names = LlamaNative.memoryBreakdownNames(pointer);
        long[] bytes = LlamaNative.memoryBreakdownBytes(pointer);
        List<MemoryBreakdown.Buffer> buffers = new ArrayList<>(names.length / 2);
        for (int i = 0; i < names.length / 2; i++) {
            buffers.add(new MemoryBreakdown.Buffer(names[2 * i], names[2 * i + 1], bytes[4 * i + 3] != 0, bytes[4 * i],
                    bytes[4 * i + 1], bytes[4 * i + 2]));
        }
        return new MemoryBreakdown(buffers);
    }

    int vocabularySize() {
        return vocabularySize;
    }

    public int embeddingSize() {
        return embeddingSize;
    }

    long pointer() {
        return handle.get();
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the context. Safe to call twice. */
    @Override
    public void close() {
        model.unregister(this);
        handle.close();
    }
}
