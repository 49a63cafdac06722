package dev.strata.runtime;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.LoadProgressListener;
import dev.strata.llama.Batch;
import dev.strata.llama.BackendDevice;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaException;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Pooling;
import dev.strata.llama.SplitMode;
import dev.strata.llama.TensorOverride;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.DeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.device.Inventory;
import dev.strata.memory.device.MeasuredOverheads;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.ledger.InsufficientMemoryException;
import dev.strata.memory.ledger.Ledger;
import dev.strata.memory.ledger.Reservation;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRefusal;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.shape.ModelShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
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
 * With {@link LoadOptions#planned()} the memory planner places the model on the free memory of this
 * machine's devices, net of what the engine's {@link Ledger} holds for other models; the model's
 * memory is reserved in the ledger before it loads and released when it closes:
 *
 * <pre>{@code
 * try (Engine engine = Engine.create();
 *      Model model = engine.load(Path.of("llama-8b.gguf"), LoadOptions.planned().withContextSize(8192))) {
 *     model.placement().orElseThrow().gpuLayers();  // as planned
 *     model.measuredBytes();                        // {cuda0=6.1 GiB, cpu=0.4 GiB}, committed to the ledger
 * }
 * }</pre>
 *
 * Thread-safe. Closing the engine closes every model it loaded.
 */
public final class Engine implements AutoCloseable {
    /** Context size when the options leave it to the engine, unless the model was trained on less. */
    static final int DEFAULT_CONTEXT = 4096;

    /** Micro-batch (and batch) of the contexts the engine makes; ContextParams' default, and what the plan assumes. */
    static final int MICRO_BATCH = 512;

    /** Kept free on every device, GPU or host, for what no estimate counts. */
    static final long RESERVE_BYTES = ByteSize.GIB;

    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    /**
     * The one ledger of engines made without one. Every engine in a JVM loads onto the same devices,
     * so they must book against one record or two engines could overbook a GPU; the ledger itself is
     * thread-safe and holds no reference to any engine. Engines that want their own (tests, a second
     * independent pool) pass one to {@link #create(LlamaBackend, Ledger, DeviceInventory)}.
     */
    private static final Ledger JVM_LEDGER = new Ledger();

    private final LlamaBackend backend;
    private final Ledger ledger;
    private final DeviceInventory inventory;
    private final Set<Model> models = ConcurrentHashMap.newKeySet();

    private Engine(LlamaBackend backend, Ledger ledger, DeviceInventory inventory) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
    }

    /** An engine over the native library this JVM loads (see {@link LlamaBackend#get()}), on the JVM-wide ledger. */
    public static Engine create() {
        return create(LlamaBackend.get());
    }

    /** An engine over an already loaded backend, on the JVM-wide ledger and this machine's CUDA devices. */
    public static Engine create(LlamaBackend backend) {
        return new Engine(backend, JVM_LEDGER, new CudaDeviceInventory(HostMemory.system()));
    }

    /**
     * An engine booking planned loads in {@code ledger}, reading free memory from {@code inventory}.
     * The caller keeps ownership of both; the engine only uses them.
     */
    public static Engine create(LlamaBackend backend, Ledger ledger, DeviceInventory inventory) {
        return new Engine(backend, ledger, inventory);
    }

    /** The ledger planned loads reserve in: the JVM-wide one unless the engine was given its own. */
    public Ledger ledger() {
        return ledger;
    }

    public LlamaBackend backend() {
        return backend;
    }

    /** Loads a model and creates its context. The caller closes the model, or closes the engine. */
    public Model load(Path path, LoadOptions options) {
        return load(path, options, null);
    }

    /**
     * As {@link #load(Path, LoadOptions)}, reporting load progress.
     *
     * @throws ModelDoesNotFitException planned mode only: the planner or the ledger refused the model;
     *                                  nothing is loaded or reserved
     */
    public Model load(Path path, LoadOptions options, LoadProgressListener progress) {
        if (options.isPlanned()) {
            return loadPlanned(path, options, progress);
        }
        LlamaModel llamaModel = LlamaModel.load(backend, path, ModelParams.defaults().withGpuLayers(options.gpuLayers()),
                progress);
        try {
            int contextSize = options.contextSize() > 0 ? options.contextSize()
                    : Math.min(DEFAULT_CONTEXT, Math.max(llamaModel.info().trainingContext(), 1));
            LlamaContext context = LlamaContext.create(llamaModel, contextParams(llamaModel, options, contextSize));
            Model model = new Model(llamaModel, context, models::remove);
            models.add(model);
            return model;
        } catch (RuntimeException e) {
            llamaModel.close();
            throw e;
        }
    }

    /**
     * Plan, reserve, load exactly the plan, warm up, measure, commit. The reservation is owned here
     * until the model is made; on any failure after it, what was opened is closed and it is released.
     */
    private Model loadPlanned(Path path, LoadOptions options, LoadProgressListener progress) {
        String name = path.getFileName().toString();
        ModelShape shape;
        try {
            shape = ModelShape.of(GgufFile.read(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GGUF header of " + path + " to plan its load", e);
        }
        String id = name + "#" + UUID.randomUUID().toString().substring(0, 8);
        Ledger.Epoch epoch = ledger.epoch(); // before free memory is read, so the ledger knows what it already lacks
        Inventory inv = inventory.read();
        MeasuredOverheads overheads = inv.hasCuda() ? MeasuredOverheads.load(MeasuredOverheads.defaultFile())
                : new MeasuredOverheads(Map.of());
        List<DeviceBudget> budgets = new ArrayList<>();
        List<PlanDevice> gpus = new ArrayList<>();
        for (var device : inv.cuda()) {
            DeviceBudget b = ledger.budgetFor(id, DeviceBudget.of(device).withReserveBytes(RESERVE_BYTES), epoch);
            budgets.add(b);
            gpus.add(new PlanDevice(b, overheads.of(device.uuid()).map(MeasuredOverheads.Entry::bytes).orElse(0L)));
        }
        DeviceBudget host = ledger.budgetFor(id, DeviceBudget.of(inv.cpu()).withReserveBytes(RESERVE_BYTES), epoch);
        budgets.add(host);
        int context = options.contextSize() > 0 ? options.contextSize()
                : Math.min(DEFAULT_CONTEXT, Math.max(shape.contextLengthTrain(), 1));
        KvCacheParams kv = KvCacheParams.defaults().withContext(context).withBatch(MICRO_BATCH, MICRO_BATCH);
        long hostBytes = options.hostBytes() > 0 ? options.hostBytes() : host.budgetBytes();
        boolean x86 = Set.of("amd64", "x86_64").contains(System.getProperty("os.arch", ""));
        PlanResult result = Planner.plan(shape, gpus, new PlanRequest(kv, false, 256,
                gpus.isEmpty() && x86 ? CpuRepack.x86Avx2() : CpuRepack.NONE, hostBytes, true));
        if (result instanceof PlanRefusal refusal) {
            throw new ModelDoesNotFitException(name, refusal);
        }
        Placement placement = (Placement) result;
        Map<DeviceId, Long> estimate = new LinkedHashMap<>();
        placement.gpus().forEach(d -> estimate.put(d.device(), d.totalBytes()));
        estimate.put(placement.host().device(), placement.host().totalBytes());
        Reservation reservation;
        try {
            reservation = ledger.reserve(id, estimate, budgets, epoch);
        } catch (InsufficientMemoryException e) {
            throw new ModelDoesNotFitException(name, e);
        }
        LlamaModel llamaModel = null;
        LlamaContext context0 = null;
        try {
            Map<String, Long> freeBefore = gpuFree();
            List<TensorOverride> overrides = placement.overrides().stream()
                    .map(o -> new TensorOverride(o.pattern(), o.device())).toList();
            ModelParams params = ModelParams.defaults().withGpuLayers(placement.gpuLayers()).withTensorOverrides(overrides);
            if (!placement.tensorSplit().isEmpty()) {
                params = params.withSplit(SplitMode.LAYER, 0, placement.tensorSplit());
            }
            llamaModel = LlamaModel.load(backend, path, params, progress);
            context0 = LlamaContext.create(llamaModel, contextParams(llamaModel, options, placement.contextSize()));
            warmUp(llamaModel, context0);
            Map<DeviceId, Long> measured = measure(placement, freeBefore, context0.memoryBreakdown());
            ledger.commit(id, measured);
            LOG.log(System.Logger.Level.INFO, () -> "loaded " + name + " as planned (" + placement.reason() + "): "
                    + compare(estimate, measured));
            Model model = new Model(llamaModel, context0, models::remove, reservation, placement, measured);
            models.add(model);
            return model;
        } catch (RuntimeException | Error e) {
            if (context0 != null) {
                context0.close();
            }
            if (llamaModel != null) {
                llamaModel.close();
            }
            reservation.close(); // after the native memory is freed: a budget must not count it free early
            throw e;
        }
    }

    /**
     * The context every load makes: a unified KV cache that the model's sequences share (so one long
     * request can use the whole context and finished ones leave reusable prefixes), the micro-batch the
     * plan assumed. An embedding model gets one micro-batch as large as its context, since llama.cpp
     * needs each input of a non-causal model in one micro-batch.
     */
    static ContextParams contextParams(LlamaModel model, LoadOptions options, int contextSize) {
        ContextParams p = ContextParams.defaults().withContextSize(contextSize)
                .withThreads(options.threads(), options.threads()).withKvUnified(true);
        if (pools(model)) {
            // llama.cpp 0.5.0 cannot reserve a BERT graph for 3 sequences (GGML_ASSERT); powers of two work
            int seqs = Integer.highestOneBit(options.sequences());
            return p.withEmbeddings(true, Pooling.UNSPECIFIED).withBatch(contextSize, contextSize).withSequences(seqs);
        }
        return p.withBatch(MICRO_BATCH, MICRO_BATCH).withSequences(options.sequences());
    }

    /** Whether the GGUF declares a pooling type other than none: an embedding model. */
    static boolean pools(LlamaModel model) {
        return model.metadata(model.info().architecture() + ".pooling_type")
                .map(v -> {
                    try {
                        return Integer.parseInt(v.trim()) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }).orElse(false);
    }

    /**
     * One decode of a full micro-batch, so that the compute buffers grow to their peak now rather than
     * during the first long prompt; then the cache is cleared.
     */
    private static void warmUp(LlamaModel model, LlamaContext context) {
        int tokens = Math.max(1, Math.min(context.microBatch(), context.contextSize() - 1));
        int vocab = Math.max(1, model.info().vocabularySize());
        Batch batch = new Batch(tokens);
        for (int i = 0; i < tokens; i++) {
            batch.add(i % vocab, i, 0, i == tokens - 1);
        }
        DecodeStatus status = context.decode(batch);
        if (status != DecodeStatus.OK) {
            throw new LlamaException("warm-up decode of " + tokens + " tokens failed: " + status
                    + "; the planned placement does not fit as estimated");
        }
        context.clearMemory();
    }

    /** Free bytes per GPU, by ggml name ("CUDA0"). */
    private Map<String, Long> gpuFree() {
        Map<String, Long> free = new LinkedHashMap<>();
        for (BackendDevice d : backend.devices()) {
            if (d.isGpu()) {
                free.put(d.name(), d.freeBytes());
            }
        }
        return free;
    }

    /**
     * What the model holds per device: on a GPU, how much less is free than before the load (cuBLAS and
     * pool memory included, which is what a budget must cover; a concurrent load on the same GPU would
     * show here too); on the CPU, llama.cpp's host buffers.
     */
    private Map<DeviceId, Long> measure(Placement placement, Map<String, Long> freeBefore, MemoryBreakdown breakdown) {
        Map<String, Long> freeAfter = gpuFree();
        Map<DeviceId, Long> measured = new LinkedHashMap<>();
        for (DevicePlan gpu : placement.gpus()) {
            Long before = freeBefore.get(gpu.ggmlName());
            Long after = freeAfter.get(gpu.ggmlName());
            if (before != null && after != null) {
                measured.put(gpu.device(), Math.max(0, before - after));
            }
        }
        long hostBytes = breakdown.buffers().stream().filter(MemoryBreakdown.Buffer::host)
                .mapToLong(MemoryBreakdown.Buffer::totalBytes).sum();
        measured.put(DeviceId.CPU, hostBytes);
        return measured;
    }

    private static String compare(Map<DeviceId, Long> estimate, Map<DeviceId, Long> measured) {
        List<String> each = new ArrayList<>();
        estimate.forEach((device, planned) -> {
            long got = measured.getOrDefault(device, 0L);
            if (planned > 0 || got > 0) {
                each.add(String.format(Locale.ROOT, "%s estimated %s, measured %s", device, ByteSize.format(planned),
                        ByteSize.format(got)));
            }
        });
        return String.join("; ", each);
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
