package dev.strata.runtime;

import dev.strata.llama.Batch;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.SampledToken;
import dev.strata.llama.Sampler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The one thread that owns a model's context and decodes for every request (continuous batching).
 * Each step puts the next token of every generating sequence into one batch, fills the rest of the
 * batch with prompt chunks of sequences still reading their prompt, decodes, samples and delivers.
 * New requests join between steps; a cancelled one leaves within a step.
 *
 * <p>The KV cache is unified: all sequences share the context's cells. When a step needs more cells
 * than are free, finished requests' cached prefixes go first (least recently used), then the most
 * recently admitted running sequence is put back in the queue and later recomputed from its tokens
 * (its generated text is kept; greedy output is unchanged).
 */
final class DecodeLoop {
    private static final System.Logger LOG = System.getLogger(DecodeLoop.class.getName());

    /**
     * Largest KV state of one preempted sequence kept in host memory (not booked in the ledger);
     * larger ones are recomputed when readmitted.
     */
    static final int SWAP_LIMIT_BYTES = 256 << 20;

    private final String name;
    private final LlamaModel model;
    private final LlamaContext context;
    private final int contextSize;
    private final Slot[] slots;
    private final Batch batch;
    private final Queue<Sequence> submitted = new ConcurrentLinkedQueue<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final List<Sequence> stepped = new ArrayList<>();
    private final AtomicInteger unfinished = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean keepPrefixes = true;
    private volatile int cellsUsed;
    private volatile int runningCount;
    private volatile long lastActivityNanos = System.nanoTime();
    private final AtomicLong preemptions = new AtomicLong();
    private final AtomicLong restores = new AtomicLong();
    // step timing: written by the loop's thread only, published as one snapshot per step
    private long steps;
    private long stepTokens;
    private long decodeNanos;
    private long sampleNanos;
    private long graphsReused;
    /** The context's own count (it includes decodes outside the loop's steps, such as embeddings). */
    private int reusedSoFar;
    private long generationSteps;
    private long generationNanos;
    private long busyNanos;
    private long lastStepEnd;
    private volatile StepTiming timing = StepTiming.NONE;

    DecodeLoop(String name, LlamaModel model, LlamaContext context) {
        this.name = name;
        this.model = model;
        this.context = context;
        this.reusedSoFar = context.graphsReused(); // the load's warm-up decode is not a step
        this.contextSize = context.contextSize();
        this.slots = new Slot[context.sequences()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i);
        }
        this.batch = new Batch(context.batchSize());
        this.thread = new Thread(this::run, "strata-decode-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a sequence; the loop admits it when a slot is free. The model stops submitting before {@link #stop()}. */
    void submit(Sequence s) {
        unfinished.incrementAndGet();
        lastActivityNanos = System.nanoTime();
        submitted.add(s);
        LockSupport.unpark(thread);
    }

    /** Runs {@code job} on the loop's thread between two steps, with the context to itself. */
    <T> CompletableFuture<T> exclusive(Function<LlamaContext, T> job) {
        CompletableFuture<T> f = new CompletableFuture<>();
        unfinished.incrementAndGet();
        tasks.add(() -> {
            try {
                f.complete(job.apply(context));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            } finally {
                unfinished.decrementAndGet();
                lastActivityNanos = System.nanoTime();
            }
        });
        LockSupport.unpark(thread);
        return f;
    }

    /** Whether a finished sequence's cells stay as a reusable prefix (else they are freed at once). */
    void keepPrefixes(boolean keep) {
        keepPrefixes = keep;
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /** Requests queued or running, and exclusive jobs not yet done. */
    int unfinished() {
        return unfinished.get();
    }

    /** When the last request finished or arrived (System.nanoTime). */
    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** KV cells holding tokens, running and cached prefixes together, after the last step. */
    int cellsUsed() {
        return cellsUsed;
    }

    /** Sequences put back in the queue for lack of KV cells, since the model loaded. */
    long preemptions() {
        return preemptions.get();
    }

    /** Preempted sequences whose saved cells were restored bit for bit (the rest were recomputed). */
    long restores() {
        return restores.get();
    }

    int runningCount() {
        return runningCount;
    }

    StepTiming timing() {
        return timing;
    }

    /** Ends every request with CANCELLED and stops the thread; returns once it has. */
    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("a model cannot be closed from its own decode loop");
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                runTasks();
                intake();
                if (stopping) {
                    for (Sequence s : new ArrayList<>(running)) {
                        end(s, FinishReason.CANCELLED, "model closed");
                    }
                    waiting.forEach(s -> end(s, FinishReason.CANCELLED, "model closed"));
                    waiting.clear();
                    runTasks();
                    return;
                }
                reapCancelled();
                admit();
                runningCount = running.size();
                if (running.isEmpty()) {
                    lastStepEnd = 0; // waiting for work is not host time between steps
                    if (submitted.isEmpty() && tasks.isEmpty()) {
                        LockSupport.park(this);
                    }
                    continue;
                }
                long start = System.nanoTime();
                if (lastStepEnd != 0) {
                    busyNanos += start - lastStepEnd;
                }
                step();
                lastStepEnd = System.nanoTime();
                busyNanos += lastStepEnd - start;
                timing = new StepTiming(steps, stepTokens, decodeNanos, sampleNanos, busyNanos - decodeNanos - sampleNanos,
                        graphsReused, generationSteps, generationNanos);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "decode loop of " + name + " failed", t);
            String why = "decode loop failed: " + t;
            new ArrayList<>(running).forEach(s -> end(s, FinishReason.ERROR, why));
            waiting.forEach(s -> end(s, FinishReason.ERROR, why));
            waiting.clear();
            Sequence s;
            while ((s = submitted.poll()) != null) {
                end(s, FinishReason.ERROR, why);
            }
            stopping = true;
            runTasks();
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    private void intake() {
        Sequence s;
        while ((s = submitted.poll()) != null) {
            waiting.add(s);
        }
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
            Sequence w = it.next();
            if (w.generation.cancelRequested()) {
                it.remove();
                end(w, FinishReason.CANCELLED, null);
            }
        }
    }

    private void reapCancelled() {
        for (Sequence s : new ArrayList<>(running)) {
            if (s.generation.cancelRequested()) {
                end(s, FinishReason.CANCELLED, null);
            }
        }
    }

    /** Gives waiting requests free slots, in arrival order, each the slot whose cache shares most of its prompt. */
    private void admit() {
        while (!waiting.isEmpty()) {
            Sequence s = waiting.peek();
            if (s.swapped != null) {
                if (!readmitSwapped(s)) {
                    return; // waits for cells, and everyone behind it waits too: first come, first served
                }
                continue;
            }
            Slot best = null;
            int bestPrefix = -1;
            for (Slot slot : slots) {
                if (slot.owner != null) {
                    continue;
                }
                int prefix = slot.cached.commonPrefix(s.tokens);
                if (prefix > bestPrefix || (prefix == bestPrefix && slot.lastUsedNanos < best.lastUsedNanos)) {
                    best = slot;
                    bestPrefix = prefix;
                }
            }
            if (best == null) {
                return;
            }
            waiting.poll();
            // At least one token must be decoded to get logits for the next.
            int keep = Math.min(bestPrefix, s.tokens.size() - 1);
            truncate(best, keep);
            best.owner = s;
            s.slot = best;
            placeSampling(best, s);
            if (s.cachedTokens < 0) {
                s.cachedTokens = best.cached.size();
            }
            running.add(s);
        }
    }

    /**
     * Puts a preempted sequence's saved cells back into a free slot. False while no slot is free or
     * the cache lacks the cells (after dropping idle prefixes); a restore that fails falls back to
     * recomputing the tokens.
     */
    private boolean readmitSwapped(Sequence s) {
        Slot slot = null;
        for (Slot candidate : slots) {
            if (candidate.owner == null && (slot == null || candidate.cached.size() < slot.cached.size()
                    || (candidate.cached.size() == slot.cached.size() && candidate.lastUsedNanos < slot.lastUsedNanos))) {
                slot = candidate;
            }
        }
        if (slot == null) {
            return false;
        }
        truncate(slot, 0);
        if (contextSize - used() < s.swappedCells) {
            freeIdle(s.swappedCells);
            if (contextSize - used() < s.swappedCells) {
                return false;
            }
        }
        waiting.poll();
        boolean restored = false;
        try {
            restored = context.restoreSequence(slot.id, s.swapped);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": restoring a preempted sequence failed, recomputing: " + e);
        }
        if (restored) {
            restores.incrementAndGet();
            for (int i = 0; i < s.swappedCells; i++) {
                slot.cached.add(s.tokens.get(i));
            }
        } else {
            truncate(slot, 0);
        }
        s.swapped = null;
        slot.owner = s;
        s.slot = slot;
        placeSampling(slot, s);
        running.add(s);
        return true;
    }

    /**
     * With backend sampling, a greedy request without logprobs takes its tokens from the graph's argmax;
     * any other reads its logits rows, which llama.cpp copies back only for sequences taken out of graph
     * sampling. The slot changes only when its new owner needs the other way (each change costs a
     * re-reserve of llama.cpp's graphs at the next decode).
     */
    private void placeSampling(Slot slot, Sequence s) {
        if (!context.backendSampling()) {
            return;
        }
        boolean inGraph = s.plainGreedy();
        if (slot.sampledInGraph == inGraph) {
            return;
        }
        try {
            context.sampleInGraph(slot.id, inGraph);
            slot.sampledInGraph = inGraph;
        } catch (RuntimeException e) {
            if (!inGraph) {
                throw e; // taking a sampler out cannot fail in llama.cpp; a failure here is a bug to surface
            }
            // a greedy request reads its row just as well: only the speed of graph sampling is lost
            LOG.log(System.Logger.Level.WARNING, name + ": sequence " + slot.id + " stays out of graph sampling: "
                    + e.getMessage());
        }
    }

    /** Drops a slot's cached tokens from position {@code keep} on. */
    private void truncate(Slot slot, int keep) {
        if (keep >= slot.cached.size()) {
            return;
        }
        if (!context.removeTokens(slot.id, keep, -1)) {
            // recurrent state cannot be cut in the middle; start that slot over
            context.removeTokens(slot.id, -1, -1);
            slot.cached.clear();
            return;
        }
        slot.cached.truncate(keep);
    }

    private int used() {
        int n = 0;
        for (Slot slot : slots) {
            n += slot.cached.size();
        }
        return n;
    }

    /**
     * Frees cells until {@code needed} are free: cached prefixes of idle slots first (least recently
     * used), then the newest running sequences go back to the queue. False if it cannot.
     */
    private boolean makeRoom(int needed) {
        int free = freeIdle(needed);
        while (free < needed && running.size() > 1) {
            Sequence newest = running.get(running.size() - 1);
            free += newest.slot.cached.size();
            preempt(newest);
        }
        return free >= needed;
    }

    /** Drops idle slots' cached prefixes, least recently used first, until {@code needed} cells are free; returns the free cells. */
    private int freeIdle(int needed) {
        int free = contextSize - used();
        while (free < needed) {
            Slot lru = null;
            for (Slot slot : slots) {
                if (slot.owner == null && slot.cached.size() > 0 && (lru == null || slot.lastUsedNanos < lru.lastUsedNanos)) {
                    lru = slot;
                }
            }
            if (lru == null) {
                break;
            }
            free += lru.cached.size();
            truncate(lru, 0);
        }
        return free;
    }

    /**
     * Puts a running sequence back at the head of the queue. Its cells are saved to host memory first
     * (up to {@link #SWAP_LIMIT_BYTES}) and restored when it is readmitted, so its output is exactly what
     * it would have been; otherwise its tokens are recomputed, which may differ in the last bits.
     */
    private void preempt(Sequence s) {
        preemptions.incrementAndGet();
        if (s.slot.cached.size() > 0) {
            try {
                byte[] state = context.saveSequence(s.slot.id);
                if (state.length <= SWAP_LIMIT_BYTES) {
                    s.swapped = state;
                    s.swappedCells = s.slot.cached.size();
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": saving a preempted sequence failed, it will be recomputed: " + e);
            }
        }
        LOG.log(System.Logger.Level.DEBUG, () -> name + ": KV cache full, sequence " + s.slot.id + " ("
                + s.tokens.size() + " tokens) waits, " + (s.swapped != null ? "saved" : "to be recomputed"));
        truncate(s.slot, 0);
        s.slot.owner = null;
        s.slot = null;
        running.remove(s);
        waiting.addFirst(s);
    }

    private void step() {
        int generating = 0;
        for (Sequence s : running) {
            if (s.pending() == 1) {
                generating++;
            }
        }
        if (!makeRoom(Math.max(1, generating))) {
            Sequence s = running.get(0);
            end(s, FinishReason.LENGTH, null); // alone and out of cells: the context is full
            return;
        }
        int free = contextSize - used();
        batch.clear();
        stepped.clear();
        // Generating sequences first, one token each, so long prompts never stall generation.
        for (Sequence s : running) {
            s.inBatch = 0;
            s.outputIndex = -1;
            if (s.pending() == 1 && free > 0) {
                if (s.promptStartNanos == 0) {
                    s.promptStartNanos = System.nanoTime(); // a one-token prompt is read in a generation step
                }
                int pos = s.slot.cached.size();
                s.outputIndex = batch.add(s.tokens.get(pos), pos, s.slot.id, true);
                s.inBatch = 1;
                free--;
                stepped.add(s);
            }
        }
        long now = System.nanoTime();
        for (Sequence s : running) {
            int room = Math.min(batch.capacity() - batch.size(), free);
            if (s.pending() <= 1 || room <= 0) {
                continue;
            }
            int from = s.slot.cached.size();
            int n = Math.min(s.pending(), room);
            for (int i = 0; i < n; i++) {
                int pos = from + i;
                boolean last = pos == s.tokens.size() - 1;
                int index = batch.add(s.tokens.get(pos), pos, s.slot.id, last);
                if (last) {
                    s.outputIndex = index;
                }
            }
            if (s.promptStartNanos == 0) {
                s.promptStartNanos = now;
            }
            s.inBatch = n;
            free -= n;
            stepped.add(s);
        }
        if (batch.size() == 0) {
            return;
        }
        DecodeStatus status;
        long decodeStart = System.nanoTime();
        try {
            status = context.decode(batch);
        } catch (RuntimeException e) {
            failStep("decode failed: " + e.getMessage());
            return;
        } finally {
            decodeNanos += System.nanoTime() - decodeStart;
            steps++;
            stepTokens += batch.size();
        }
        switch (status) {
            case OK -> {
                int reusedNow = context.graphsReused();
                if (reusedNow > reusedSoFar) {
                    graphsReused++;
                }
                reusedSoFar = reusedNow;
                afterDecode();
                if (batch.size() == stepped.size()) { // one token per sequence: a generation step
                    generationSteps++;
                    generationNanos += System.nanoTime() - decodeStart;
                }
            }
            case NO_KV_SLOT -> {
                // llama.cpp found no room although our count had some (fragmentation, SWA): free more
                if (!makeRoom(contextSize - used() + batch.size()) && running.size() == 1) {
                    end(running.get(0), FinishReason.LENGTH, null);
                }
            }
            default -> failStep("decode of " + batch.size() + " tokens failed: " + status);
        }
        cellsUsed = used();
    }

    private void afterDecode() {
        for (Sequence s : stepped) {
            int from = s.slot.cached.size();
            for (int i = 0; i < s.inBatch; i++) {
                s.slot.cached.add(s.tokens.get(from + i));
            }
        }
        int[] greedy = greedyTokens();
        int g = 0;
        for (Sequence s : stepped) {
            if (s.outputIndex >= 0 && s.slot != null) {
                try {
                    sampleNext(s, greedy != null && isPlainGreedy(s) ? greedy[g++] : -1);
                } catch (RuntimeException e) {
                    // a sampler failure (grammar with no valid token, ...) ends this request, not the loop
                    end(s, FinishReason.ERROR, "sampling failed: " + e.getMessage());
                }
            }
        }
    }

    private static boolean isPlainGreedy(Sequence s) {
        return s.outputIndex >= 0 && s.slot != null && s.plainGreedy();
    }

    /**
     * The tokens of this step's greedy sequences (no logprobs), in {@code stepped} order, from one native
     * call that splits the scans of their rows across the CPU threads; null when fewer than two, which
     * sample one by one.
     */
    private int[] greedyTokens() {
        int n = 0;
        for (Sequence s : stepped) {
            if (isPlainGreedy(s)) {
                n++;
            }
        }
        if (n < 2) {
            return null;
        }
        int[] indices = new int[n];
        int i = 0;
        for (Sequence s : stepped) {
            if (isPlainGreedy(s)) {
                indices[i++] = s.outputIndex;
            }
        }
        long start = System.nanoTime();
        try {
            return Sampler.greedyTokens(context, indices);
        } catch (RuntimeException e) {
            return null; // each sequence samples on its own, and a failure ends that one alone
        } finally {
            sampleNanos += System.nanoTime() - start;
        }
    }

    /** Samples (or takes {@code presampled}, when not negative) the sequence's next token and delivers it. */
    private void sampleNext(Sequence s, int presampled) {
        SampledToken sampled = null;
        int token;
        long sampleStart = System.nanoTime();
        try {
            if (presampled >= 0) {
                token = presampled;
            } else if (s.logprobs == null) {
                token = s.sampler.sample(context, s.outputIndex);
            } else {
                sampled = s.sampler.sampleWithLogprobs(context, s.outputIndex, s.topLogprobs);
                token = sampled.token();
            }
        } finally {
            sampleNanos += System.nanoTime() - sampleStart;
        }
        long now = System.nanoTime();
        if (s.firstTokenNanos == 0) {
            s.firstTokenNanos = now;
        }
        s.lastTokenNanos = now;
        if (!s.ignoreEos && model.isEndOfGeneration(token)) {
            end(s, FinishReason.STOP, null);
            return;
        }
        s.generated++;
        s.tokens.add(token);
        String out = s.stops.append(s.utf8.append(model.tokenPiece(token, !s.shownSpecial.isEmpty() && s.shownSpecial.contains(token))));
        s.text.append(out);
        if (sampled == null) {
            s.generation.emit(new GeneratedToken(token, out));
        } else {
            TokenLogprobs lp = logprobsOf(sampled);
            s.logprobs.add(lp);
            s.generation.emit(new GeneratedToken(token, out, Optional.of(lp)));
        }
        if (s.stops.stopped()) {
            end(s, FinishReason.STOP, null);
        } else if (s.generated >= s.maxTokens || s.tokens.size() > contextSize) {
            end(s, FinishReason.LENGTH, null);
        }
    }

    /** Pieces are written with special tokens spelled out, as llama.cpp's server shows them in logprobs. */
    private TokenLogprobs logprobsOf(SampledToken sampled) {
        int[] ids = sampled.topTokens();
        float[] values = sampled.topLogprobs();
        List<TokenLogprob> top = new ArrayList<>(ids.length);
        for (int k = 0; k < ids.length; k++) {
            top.add(new TokenLogprob(ids[k], model.tokenPiece(ids[k], true), values[k]));
        }
        return new TokenLogprobs(new TokenLogprob(sampled.token(), model.tokenPiece(sampled.token(), true), sampled.logprob()), top);
    }

    /** A decode failed: every sequence in it ends with ERROR and its cells are dropped. */
    private void failStep(String why) {
        LOG.log(System.Logger.Level.WARNING, name + ": " + why);
        for (Sequence s : stepped) {
            if (s.slot != null) {
                truncate(s.slot, 0);
                end(s, FinishReason.ERROR, why);
            }
        }
    }

    /** Ends a sequence (running, waiting or just submitted) and frees its slot and sampler. */
    private void end(Sequence s, FinishReason reason, String error) {
        String tail = s.stops.append(s.utf8.finish()) + s.stops.flush();
        if (!tail.isEmpty()) {
            s.text.append(tail);
            s.generation.emit(new GeneratedToken(GeneratedToken.NO_TOKEN, tail));
        }
        if (s.slot != null) {
            if (reason == FinishReason.ERROR || !keepPrefixes) {
                truncate(s.slot, 0);
            }
            s.slot.owner = null;
            s.slot.lastUsedNanos = System.nanoTime();
            s.slot = null;
        }
        running.remove(s);
        runningCount = running.size();
        s.sampler.close();
        long promptEnd = s.firstTokenNanos != 0 ? s.firstTokenNanos : System.nanoTime();
        double promptMillis = s.promptStartNanos == 0 ? 0 : (promptEnd - s.promptStartNanos) / 1e6;
        double genMillis = s.generated > 1 ? (s.lastTokenNanos - s.firstTokenNanos) / 1e6 : 0;
        double ttft = s.firstTokenNanos == 0 ? 0 : (s.firstTokenNanos - s.submittedNanos) / 1e6;
        lastActivityNanos = System.nanoTime();
        unfinished.decrementAndGet();
        s.generation.finish(new GenerationResult(s.text.toString(), reason, s.promptLength, Math.max(0, s.cachedTokens),
                s.generated, promptMillis, genMillis, ttft, error, s.logprobs == null ? List.of() : s.logprobs));
    }
}
