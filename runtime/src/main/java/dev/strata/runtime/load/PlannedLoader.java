package dev.strata.runtime.load;

import dev.strata.llama.AllocationFailedException;
import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaException;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.LoadProgressListener;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SplitMode;
import dev.strata.llama.TensorOverride;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.Device;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.DeviceInventory;
import dev.strata.memory.device.Inventory;
import dev.strata.memory.device.MeasuredOverheads;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
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
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.ModelDoesNotFitException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Loads a model where the planner puts it: plan → reserve in the ledger → native load with exactly
 * the placement's parameters → context → one warm-up decode at the largest micro-batch → measure what
 * each device holds → commit the measured figures to the ledger.
 *
 * <p>When a device cannot allocate what the plan gave it (the estimate was short, or another process
 * took the memory after it was read), everything of that attempt is freed and released, and the model
 * is planned again with that device's share lowered by the shortfall, so the planner moves layers to
 * the CPU. At most {@value #MAX_ATTEMPTS} attempts; the last one places everything on the CPU. Only
 * when that fails too does the load fail, with every attempt in the message.
 *
 * <pre>{@code
 * try (LoadedModel loaded = new PlannedLoader(backend, ledger, inventory).load(path, LoadOptions.planned(), null)) {
 *     loaded.placement().gpuLayers();   // as placed by the attempt that loaded
 * }
 * }</pre>
 *
 * Thread-safe: it keeps no state between loads; the ledger orders concurrent ones.
 */
public final class PlannedLoader {
    /** Placements tried per load, the last one all on the CPU. */
    public static final int MAX_ATTEMPTS = 4;

    /** Context size when the options leave it to the loader, unless the model was trained on less. */
    public static final int DEFAULT_CONTEXT = 4096;

    /** Micro-batch (and batch) of the contexts made here; ContextParams' default, and what the plan assumes. */
    public static final int MICRO_BATCH = 512;

    /** Kept free on every device, GPU or host, for what no estimate counts. */
    public static final long RESERVE_BYTES = ByteSize.GIB;

    private static final System.Logger LOG = System.getLogger(PlannedLoader.class.getName());

    private final LlamaBackend backend;
    private final Ledger ledger;
    private final DeviceInventory inventory;
    private final Map<DeviceId, Long> userCaps;

    /** A loader booking in {@code ledger} and reading free memory from {@code inventory}; it owns neither. */
    public PlannedLoader(LlamaBackend backend, Ledger ledger, DeviceInventory inventory) {
        this(backend, ledger, inventory, Map.of());
    }

    /**
     * As {@link #PlannedLoader(LlamaBackend, Ledger, DeviceInventory)}, keeping what the ledger holds on
     * each device in {@code userCaps} under that cap (all models together).
     */
    public PlannedLoader(LlamaBackend backend, Ledger ledger, DeviceInventory inventory, Map<DeviceId, Long> userCaps) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.userCaps = Map.copyOf(userCaps);
    }

    /** The budget under the user's cap for its device, if one was set. */
    private DeviceBudget userCapped(DeviceBudget b) {
        Long cap = userCaps.get(b.device());
        return cap == null ? b : b.withCapBytes(cap);
    }

    /**
     * Loads {@code path} as planned. The caller owns the result.
     *
     * @throws ModelDoesNotFitException the planner or the ledger refused the model, or every placement
     *                                  tried failed to allocate; nothing stays loaded or reserved
     */
    public LoadedModel load(Path path, LoadOptions options, LoadProgressListener progress) {
        String name = path.getFileName().toString();
        ModelShape shape = ModelHeader.read(path);
        String id = name + "#" + UUID.randomUUID().toString().substring(0, 8);
        GpuCaps caps = GpuCaps.NONE;
        boolean allCpu = false;
        List<String> tried = new ArrayList<>();
        List<AllocationFailedException> failures = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            allCpu = allCpu || attempt == MAX_ATTEMPTS;
            Planned planned;
            try {
                planned = plan(name, id, shape, options, caps, allCpu, true);
            } catch (ModelDoesNotFitException refused) {
                if (tried.isEmpty()) {
                    throw refused;
                }
                tried.add("attempt " + attempt + " was refused: " + refused.getMessage());
                throw new ModelDoesNotFitException(name, tried, failures);
            }
            Placement placement = planned.placement();
            try {
                LoadedModel loaded = loadExactly(path, options, progress, planned, attempt);
                LOG.log(System.Logger.Level.INFO, () -> "loaded " + name + " as planned (" + placement.reason() + ")"
                        + (loaded.attempts() > 1 ? " at attempt " + loaded.attempts() : "") + ": "
                        + DeviceUse.compare(planned.estimate(), loaded.measured()));
                return loaded;
            } catch (AllocationFailedException e) {
                String what = "attempt " + attempt + " (" + describe(placement) + "; estimated "
                        + DeviceUse.format(planned.estimate()) + ") failed: " + failure(e);
                tried.add(what);
                failures.add(e);
                DevicePlan gpu = failedGpu(e, placement);
                if (gpu == null) {
                    boolean cpuOnly = placement.gpus().stream().allMatch(d -> d.totalBytes() == 0);
                    LOG.log(System.Logger.Level.WARNING, what + (cpuOnly ? "; it ran all on the CPU already"
                            : "; the host ran short, and moving layers to it cannot help"));
                    throw new ModelDoesNotFitException(name, tried, failures);
                }
                // The device lacked at least what it failed to allocate; when llama.cpp did not say
                // how much, count half its share. Caps that do not go down would repeat the same
                // placement, so then only the CPU is left to try.
                long shortfall = e.requestedBytes().orElse(gpu.totalBytes() / 2);
                GpuCaps lowered = caps.lowered(gpu.device(), gpu.totalBytes(), shortfall);
                allCpu = lowered.equals(caps);
                caps = lowered;
                LOG.log(System.Logger.Level.WARNING, what + "; planning again with less than "
                        + ByteSize.format(gpu.totalBytes()) + " on " + gpu.device() + " (at most "
                        + ByteSize.format(caps.limits().get(gpu.device()).cap()) + " unless its free memory now says less)");
            }
        }
    }

    /**
     * Where {@code path} would go if it were loaded now: the placement on today's free memory net of
     * the ledger, or the planner's refusal. Reserves and loads nothing.
     */
    public PlanResult preview(Path path, LoadOptions options) {
        String name = path.getFileName().toString();
        ModelShape shape = ModelHeader.read(path);
        try {
            return plan(name, name + "#preview", shape, options, GpuCaps.NONE, false, false).placement();
        } catch (ModelDoesNotFitException e) {
            return e.refusal().map(PlanResult.class::cast).orElseThrow(() -> e);
        }
    }

    /** A placement, its estimate per device, and the reservation held for it (null for a preview). */
    private record Planned(Placement placement, Map<DeviceId, Long> estimate, Reservation reservation) {}

    /**
     * Plans on free memory read now (after the previous attempt freed its memory), within
     * {@code caps}, and reserves the placement. With {@code allCpu} no GPU is offered to the planner.
     */
    private Planned plan(String name, String id, ModelShape shape, LoadOptions options, GpuCaps caps, boolean allCpu,
            boolean reserve) {
        Ledger.Epoch epoch = ledger.epoch(); // before free memory is read, so the ledger knows what it already lacks
        Inventory inv = inventory.read();
        MeasuredOverheads overheads = inv.hasCuda() ? MeasuredOverheads.load(MeasuredOverheads.defaultFile())
                : new MeasuredOverheads(Map.of());
        List<DeviceBudget> budgets = new ArrayList<>();
        List<PlanDevice> gpus = new ArrayList<>();
        for (var device : allCpu ? List.<Device>of() : inv.cuda()) {
            DeviceBudget b = caps.apply(ledger.budgetFor(id, userCapped(DeviceBudget.of(device).withReserveBytes(RESERVE_BYTES)),
                    epoch));
            budgets.add(b);
            gpus.add(new PlanDevice(b, overheads.of(device.uuid()).map(MeasuredOverheads.Entry::bytes).orElse(0L)));
        }
        DeviceBudget host = ledger.budgetFor(id, userCapped(DeviceBudget.of(inv.cpu()).withReserveBytes(RESERVE_BYTES)), epoch);
        budgets.add(host);
        int context = options.contextSize() > 0 ? options.contextSize()
                : Math.min(DEFAULT_CONTEXT, Math.max(shape.contextLengthTrain(), 1));
        KvCacheParams kv = KvCacheParams.defaults().withContext(context).withBatch(MICRO_BATCH, MICRO_BATCH);
        if (shape.rules().memory() != MemoryKind.NONE) {
            // the generation context ContextLayout makes: its sequences share one unified cache (a lone
            // sequence has the split one), and backend samplers change its compute buffer
            kv = kv.withSequences(options.sequences()).withUnified(ContextLayout.unifiedKv(options.sequences()))
                    .withBackendSampling(options.backendSampling());
        }
        long hostBytes = options.hostBytes() > 0 ? options.hostBytes() : host.budgetBytes();
        boolean x86 = Set.of("amd64", "x86_64").contains(System.getProperty("os.arch", ""));
        PlanResult result = Planner.plan(shape, gpus, new PlanRequest(kv, false, 256,
                gpus.isEmpty() && x86 ? CpuRepack.x86Avx2() : CpuRepack.NONE, hostBytes, true));
        if (result instanceof PlanRefusal refusal) {
            throw new ModelDoesNotFitException(name, refusal);
        }
        Placement placement = (Placement) result;
        Map<DeviceId, Long> estimate = DeviceUse.estimate(placement);
        try {
            return new Planned(placement, estimate, reserve ? ledger.reserve(id, estimate, budgets, epoch) : null);
        } catch (InsufficientMemoryException e) {
            throw new ModelDoesNotFitException(name, e);
        }
    }

    /**
     * Loads exactly the placement, warms up, measures and commits. On any failure what was opened is
     * closed and the reservation released before the exception leaves.
     */
    private LoadedModel loadExactly(Path path, LoadOptions options, LoadProgressListener progress, Planned planned,
            int attempt) {
        Placement placement = planned.placement();
        LlamaModel model = null;
        LlamaContext context = null;
        try {
            Map<String, Long> freeBefore = DeviceUse.gpuFree(backend);
            List<TensorOverride> overrides = placement.overrides().stream()
                    .map(o -> new TensorOverride(o.pattern(), o.device())).toList();
            ModelParams params = ModelParams.defaults().withGpuLayers(placement.gpuLayers()).withTensorOverrides(overrides);
            if (!placement.tensorSplit().isEmpty()) {
                params = params.withSplit(SplitMode.LAYER, 0, placement.tensorSplit());
            }
            model = LlamaModel.load(backend, path, params, progress);
            context = LlamaContext.create(model, ContextLayout.forModel(model, options, placement.contextSize()));
            warmUp(model, context);
            Map<DeviceId, Long> measured = DeviceUse.measure(backend, placement, freeBefore, context.memoryBreakdown());
            ledger.commit(planned.reservation().modelId(), measured);
            return new LoadedModel(model, context, planned.reservation(), placement, measured, attempt);
        } catch (RuntimeException | Error e) {
            if (context != null) {
                context.close();
            }
            if (model != null) {
                model.close();
            }
            planned.reservation().close(); // after the native memory is freed: a budget must not count it free early
            throw e;
        }
    }

    /**
     * One decode of a full micro-batch, so that the compute buffers grow to their peak now rather than
     * during the first long prompt; then the cache is cleared. A fatal status is a compute buffer that
     * could not be allocated (or a compute that failed on a device): an allocation failure to retry.
     */
    private void warmUp(LlamaModel model, LlamaContext context) {
        int tokens = Math.max(1, Math.min(context.microBatch(), context.contextSize() - 1));
        int vocab = Math.max(1, model.info().vocabularySize());
        Batch batch = new Batch(tokens);
        for (int i = 0; i < tokens; i++) {
            batch.add(i % vocab, i, 0, i == tokens - 1);
        }
        DecodeStatus status = context.decode(batch);
        if (status == DecodeStatus.FATAL) {
            String why = backend.lastErrorLines();
            throw new AllocationFailedException("warm-up decode of " + tokens + " tokens failed"
                    + (why.isEmpty() ? "" : ": " + why));
        }
        if (status != DecodeStatus.OK) {
            throw new LlamaException("warm-up decode of " + tokens + " tokens failed: " + status
                    + "; the planned placement does not fit as estimated");
        }
        context.clearMemory();
    }

    /**
     * The GPU of the placement that failed: the one llama.cpp named; when it named none, the GPU with
     * the most planned (the likeliest to run short). Null when the host failed ("CPU", "CUDA_Host") or
     * the placement has no GPU share.
     */
    private static DevicePlan failedGpu(AllocationFailedException e, Placement placement) {
        List<DevicePlan> used = placement.gpus().stream().filter(d -> d.totalBytes() > 0).toList();
        if (e.device().isPresent()) {
            return used.stream().filter(d -> d.ggmlName().equals(e.device().get())).findFirst().orElse(null);
        }
        return used.stream().max((a, b) -> Long.compare(a.totalBytes(), b.totalBytes())).orElse(null);
    }

    /** "5 layers and the output on cuda0, 3 of 8 layers on the CPU", or "all 8 layers on the CPU". */
    private static String describe(Placement p) {
        String gpus = p.gpus().stream().filter(d -> d.layerCount() > 0 || d.output())
                .map(d -> d.layerCount() + " layers" + (d.output() ? " and the output" : "") + " on " + d.device())
                .collect(Collectors.joining(", "));
        return gpus.isEmpty() ? "all " + p.layerCount() + " layers on the CPU"
                : gpus + ", " + p.cpuLayers() + " of " + p.layerCount() + " layers on the CPU";
    }

    /** "CUDA0 could not allocate 2.0 GiB", or llama.cpp's message when it did not say. */
    private static String failure(AllocationFailedException e) {
        if (e.device().isPresent() && e.requestedBytes().isPresent()) {
            return e.device().get() + " could not allocate " + ByteSize.format(e.requestedBytes().getAsLong());
        }
        return e.device().map(d -> d + " could not allocate a buffer").orElse(e.getMessage());
    }
}
