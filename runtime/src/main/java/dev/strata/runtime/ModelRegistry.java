package dev.strata.runtime;

import dev.strata.memory.device.DeviceKind;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The models an {@link Engine} serves by name: loads them on demand, shares one loaded model between
 * all its users, and unloads idle ones when a new load needs their room.
 *
 * <pre>{@code
 * ModelRegistry models = engine.registry();
 * models.define("stories", Path.of("stories260K.gguf"), LoadOptions.planned().withSequences(8));
 * Generation g = models.submit("stories", GenerationRequest.of("Once upon a time"));  // loads it first
 * models.pin("stories", true);                                                        // never evicted
 * }</pre>
 *
 * Rules: concurrent loads of one model make one load that all of them wait for; a load that does not fit
 * (the planner or the ledger refuses it, or {@link RegistryOptions#maxLoaded()} is reached) evicts idle
 * models, least recently used first, and tries again; a model is idle when no request is queued or
 * running on it and it has been so for {@link RegistryOptions#keepAlive()}; pinned models are never
 * evicted. Thread-safe; every change of a model's {@link Residency} happens here, under one lock.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelRegistry.class.getName());

    private final Engine engine;
    private final RegistryOptions options;
    /** Guards {@link #entries} and every entry's fields. Never held while loading or closing a model. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Held by the one load in progress: loads measure device memory before and after, so they take turns. */
    private final ReentrantLock loading = new ReentrantLock();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final ScheduledExecutorService reaper;
    /** Asked for a listener at each load; set by whoever shows progress (a terminal, a log). */
    private volatile Function<String, LoadProgress> loadWatcher = name -> LoadProgress.NONE;

    private static final class Entry {
        final String name;
        Path path;
        LoadOptions options;
        Residency residency = Residency.NOT_LOADED;
        boolean pinned;
        Model model;
        CompletableFuture<Model> load;
        /** Callers between finding the model and handing it a request: not evictable meanwhile. */
        int leases;

        Entry(String name, Path path, LoadOptions options) {
            this.name = name;
            this.path = path;
            this.options = options;
        }
    }

    ModelRegistry(Engine engine, RegistryOptions options) {
        this.engine = engine;
        this.options = options;
        if (options.idleUnload().isZero()) {
            reaper = null;
        } else {
            reaper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "strata-registry-reaper");
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(100, options.idleUnload().toMillis() / 4);
            reaper.scheduleWithFixedDelay(this::unloadExpired, period, period, TimeUnit.MILLISECONDS);
        }
    }

    public RegistryOptions options() {
        return options;
    }

    /**
     * Makes a model known under {@code name}. Redefining a loaded model with other options takes effect
     * at its next load ({@link #reload} applies it now).
     *
     * @throws IllegalArgumentException when the file does not exist or the name is blank
     */
    public void define(String name, Path path, LoadOptions loadOptions) {
        Objects.requireNonNull(loadOptions, "loadOptions");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a model needs a name");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no model file at " + path);
        }
        lock.lock();
        try {
            Entry e = entries.get(name);
            if (e == null) {
                entries.put(name, new Entry(name, path, loadOptions));
            } else {
                e.path = path;
                e.options = loadOptions;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reports the progress of every load this registry starts from now on (on demand, {@link #load},
     * {@link #reload}): {@code watcher} is asked, on the loading thread, for a {@link LoadProgress} per
     * load, which hears the fractions and is closed when the load ends. Loads take turns, so one
     * progress runs at a time. A watcher that throws is logged and the load goes on without progress.
     *
     * <pre>{@code
     * registry.watchLoads(name -> LoadProgressBar.start(name, System.err));   // a bar per load on a terminal
     * }</pre>
     */
    public void watchLoads(Function<String, LoadProgress> watcher) {
        this.loadWatcher = Objects.requireNonNull(watcher, "watcher");
    }

    /** Whether a model is known under this name. */
    public boolean isDefined(String name) {
        lock.lock();
        try {
            return entries.containsKey(name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The loaded model, loading it first if needed (one load however many callers ask at once).
     *
     * @throws NoSuchElementException   no model of that name is defined
     * @throws ModelDoesNotFitException it does not fit even after evicting every idle, unpinned model
     */
    public Model load(String name) {
        return withLease(name, m -> m);
    }

    /**
     * Queues a request on the named model, loading it first if needed. The model cannot be evicted
     * between being found and receiving the request, nor while the request runs.
     */
    public Generation submit(String name, GenerationRequest request) {
        return withLease(name, m -> m.submit(request));
    }

    /** Embeds with the named model, loading it first if needed. */
    public Embeddings embed(String name, EmbeddingRequest request) {
        return withLease(name, m -> m.embed(request));
    }

    /** Unloads the model now (its running requests end with CANCELLED) and loads it with its defined options. */
    public Model reload(String name, LoadOptions loadOptions) {
        lock.lock();
        try {
            entry(name).options = Objects.requireNonNull(loadOptions, "loadOptions");
        } finally {
            lock.unlock();
        }
        unload(name);
        return load(name);
    }

    /**
     * Closes the model if it is loaded; running requests end with CANCELLED. It stays defined.
     *
     * @return whether it was loaded
     */
    public boolean unload(String name) {
        Model m;
        lock.lock();
        try {
            Entry e = entry(name);
            if (e.residency != Residency.LOADED) {
                return false;
            }
            m = e.model;
            e.model = null;
            e.residency = Residency.NOT_LOADED;
        } finally {
            lock.unlock();
        }
        m.close();
        LOG.log(System.Logger.Level.INFO, () -> "unloaded " + name);
        return true;
    }

    /** Pinned models are never evicted (they can still be unloaded explicitly). */
    public void pin(String name, boolean pinned) {
        lock.lock();
        try {
            entry(name).pinned = pinned;
        } finally {
            lock.unlock();
        }
    }

    /** Every known model, in the order defined. */
    public List<RegisteredModel> models() {
        lock.lock();
        try {
            List<RegisteredModel> out = new ArrayList<>();
            long now = System.nanoTime();
            for (Entry e : entries.values()) {
                Model m = e.residency == Residency.LOADED ? e.model : null;
                out.add(new RegisteredModel(e.name, e.path, e.options, e.residency, e.pinned,
                        m == null ? 0 : m.activeRequests(), m == null ? Optional.empty() : m.placement(),
                        m == null ? Map.of() : m.measuredBytes(), m == null ? 0 : now - m.lastActivityNanos()));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The model if it is loaded now; never loads. */
    public Optional<Model> loaded(String name) {
        lock.lock();
        try {
            Entry e = entries.get(name);
            return e != null && e.residency == Residency.LOADED ? Optional.of(e.model) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new NoSuchElementException("no model named '" + name + "'; known: " + String.join(", ", entries.keySet()));
        }
        return e;
    }

    /**
     * Runs {@code use} on the named model, loading it first if needed, while holding a lease that keeps
     * it from being evicted; what {@link #submit} does, for callers that need the model itself to decide
     * what to queue (a chat request with the model's template, a check of its context size). A request
     * queued inside {@code use} keeps the model from eviction after the lease ends. If the model is
     * unloaded explicitly between being found and used, it is loaded again and {@code use} runs once more.
     *
     * <pre>{@code
     * ChatGeneration g = models.withModel("stories", m -> m.chat(ChatRequest.of(Message.user("Hi"))));
     * }</pre>
     */
    public <T> T withModel(String name, Function<Model, T> use) {
        return withLease(name, use);
    }

    /** Runs {@code use} on the loaded model while holding a lease that keeps it from being evicted. */
    private <T> T withLease(String name, Function<Model, T> use) {
        for (int attempt = 0; ; attempt++) {
            Model m = acquire(name);
            try {
                return use.apply(m);
            } catch (ModelClosedException closed) {
                // unloaded explicitly between acquire and use: load it again, once
                if (attempt > 0) {
                    throw closed;
                }
            } finally {
                release(name);
            }
        }
    }

    private Model acquire(String name) {
        CompletableFuture<Model> pending;
        boolean mine = false;
        lock.lock();
        try {
            Entry e = entry(name);
            if (e.residency == Residency.LOADED && e.model.state() != ModelState.READY) {
                e.residency = Residency.NOT_LOADED; // closed behind our back (engine closed it, or its owner)
                e.model = null;
            }
            e.leases++;
            if (e.residency == Residency.LOADED) {
                return e.model;
            }
            if (e.residency == Residency.NOT_LOADED) {
                e.residency = Residency.LOADING;
                e.load = new CompletableFuture<>();
                mine = true;
            }
            pending = e.load;
        } finally {
            lock.unlock();
        }
        if (mine) {
            loadEntry(name, pending);
        }
        try {
            return pending.join();
        } catch (CompletionException ce) {
            release(name);
            throw ce.getCause() instanceof RuntimeException r ? r : ce;
        }
    }

    private void release(String name) {
        lock.lock();
        try {
            Entry e = entries.get(name);
            if (e != null) {
                e.leases--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Loads one entry, evicting idle models while it does not fit; completes {@code done} either way. */
    private void loadEntry(String name, CompletableFuture<Model> done) {
        Path path;
        LoadOptions loadOptions;
        lock.lock();
        try {
            path = entries.get(name).path;
            loadOptions = entries.get(name).options;
        } finally {
            lock.unlock();
        }
        loading.lock();
        LoadProgress progress = progressFor(name);
        boolean progressClosed = false;
        try {
            Model model = null;
            RuntimeException failure = null;
            while (model == null) {
                if (countInMemory(name) >= options.maxLoaded() && !evictOne(name, false)) {
                    failure = ModelDoesNotFitException.registryFull(name, options.maxLoaded());
                    break;
                }
                try {
                    // Idle models holding GPU memory go before this one's layers go to the CPU. Inside the
                    // try: previewing reads the file's header, which fails for a file that is no model.
                    while (loadOptions.isPlanned() && wouldOffload(path, loadOptions) && evictOne(name, true)) {
                        LOG.log(System.Logger.Level.DEBUG, () -> "made room on the GPUs for " + name);
                    }
                    model = engine.load(path, loadOptions, progress);
                } catch (ModelDoesNotFitException noRoom) {
                    if (!evictOne(name, false)) {
                        failure = noRoom;
                        break;
                    }
                } catch (RuntimeException other) {
                    failure = other;
                    break;
                }
            }
            // before the waiters resume: a progress bar ends before anything they print
            closeQuietly(progress, name);
            progressClosed = true;
            lock.lock();
            try {
                Entry e = entries.get(name);
                if (model != null) {
                    e.model = model;
                    e.residency = Residency.LOADED;
                } else {
                    e.residency = Residency.NOT_LOADED;
                }
                e.load = null;
            } finally {
                lock.unlock();
            }
            if (model != null) {
                done.complete(model);
            } else {
                done.completeExceptionally(failure);
            }
        } catch (RuntimeException | Error err) {
            // whatever escaped, the entry must not stay LOADING with its waiters blocked on done
            lock.lock();
            try {
                Entry e = entries.get(name);
                e.residency = Residency.NOT_LOADED;
                e.load = null;
            } finally {
                lock.unlock();
            }
            done.completeExceptionally(err);
            throw err;
        } finally {
            try {
                if (!progressClosed) {
                    closeQuietly(progress, name);
                }
            } finally {
                loading.unlock();
            }
        }
    }

    private static void closeQuietly(LoadProgress progress, String name) {
        try {
            progress.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the load progress of " + name + " failed to close", e);
        }
    }

    private LoadProgress progressFor(String name) {
        try {
            LoadProgress p = loadWatcher.apply(name);
            return p == null ? LoadProgress.NONE : p;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the load watcher failed for " + name + "; loading without progress", e);
            return LoadProgress.NONE;
        }
    }

    private int countInMemory(String except) {
        lock.lock();
        try {
            int n = 0;
            for (Entry e : entries.values()) {
                if (e.residency == Residency.LOADED && !e.name.equals(except)) {
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a planned load now would put layers or experts on the CPU, or not fit at all, for lack of GPU memory. */
    private boolean wouldOffload(Path path, LoadOptions loadOptions) {
        PlanResult preview = engine.plan(path, loadOptions);
        if (!(preview instanceof Placement p)) {
            return true;
        }
        return !p.gpus().isEmpty() && (p.cpuLayers() > 0 || !p.overrides().isEmpty());
    }

    /**
     * Unloads the least recently used model that is loaded, unpinned, without leases or requests, and
     * idle for the keep-alive time (with {@code gpuOnly}, only one that holds GPU memory). False when
     * there is none.
     */
    private boolean evictOne(String forName, boolean gpuOnly) {
        Entry victim;
        Model m;
        lock.lock();
        try {
            long now = System.nanoTime();
            victim = entries.values().stream()
                    .filter(e -> e.residency == Residency.LOADED && !e.pinned && e.leases == 0 && !e.name.equals(forName))
                    .filter(e -> !gpuOnly || e.model.measuredBytes().entrySet().stream()
                            .anyMatch(d -> d.getKey().kind() == DeviceKind.CUDA && d.getValue() > 0))
                    .filter(e -> e.model.activeRequests() == 0
                            && now - e.model.lastActivityNanos() >= options.keepAlive().toNanos())
                    .min(Comparator.comparingLong(e -> e.model.lastActivityNanos()))
                    .orElse(null);
            if (victim == null) {
                return false;
            }
            m = victim.model;
            // refuses if a request reached the model directly since the check; under our lock no lease can
            if (!m.retireIfIdle()) {
                return false;
            }
            victim.model = null;
            victim.residency = Residency.NOT_LOADED;
        } finally {
            lock.unlock();
        }
        m.close();
        LOG.log(System.Logger.Level.INFO, () -> "evicted " + victim.name + " (least recently used, idle) to load " + forName);
        return true;
    }

    private void unloadExpired() {
        List<Model> expired = new ArrayList<>();
        lock.lock();
        try {
            long now = System.nanoTime();
            for (Entry e : entries.values()) {
                if (e.residency == Residency.LOADED && !e.pinned && e.leases == 0
                        && now - e.model.lastActivityNanos() >= options.idleUnload().toNanos() && e.model.retireIfIdle()) {
                    expired.add(e.model);
                    e.model = null;
                    e.residency = Residency.NOT_LOADED;
                    LOG.log(System.Logger.Level.INFO, () -> "unloaded " + e.name + " after " + options.idleUnload() + " idle");
                }
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(Model::close); // retired above: no request runs on them, none can arrive
    }

    /** Unloads every model and stops the idle reaper. */
    @Override
    public void close() {
        if (reaper != null) {
            reaper.shutdownNow();
        }
        List<Model> open = new ArrayList<>();
        lock.lock();
        try {
            for (Entry e : entries.values()) {
                if (e.residency == Residency.LOADED) {
                    open.add(e.model);
                    e.model = null;
                    e.residency = Residency.NOT_LOADED;
                }
            }
        } finally {
            lock.unlock();
        }
        open.forEach(Model::close);
    }
}
