package dev.strata.runtime;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.LoadProgressListener;
import dev.strata.llama.ModelParams;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.memory.plan.PlanResult;
import dev.strata.runtime.load.ContextLayout;
import dev.strata.runtime.load.LoadedModel;
import dev.strata.runtime.load.ModelHeader;
import dev.strata.runtime.load.PlannedLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * Models by name, loaded on demand and shared, go through the {@link #registry()}:
 *
 * <pre>{@code
 * try (Engine engine = Engine.create(EngineOptions.defaults().withRegistry(RegistryOptions.defaults().withMaxLoaded(2)))) {
 *     engine.registry().define("stories", Path.of("stories260K.gguf"), LoadOptions.planned());
 *     GenerationResult r = engine.registry().submit("stories", GenerationRequest.of("Once")).result().join();
 * }
 * }</pre>
 *
 * Thread-safe. Closing the engine closes every model it loaded.
 */
public final class Engine implements AutoCloseable {
    /** Context size when the options leave it to the engine, unless the model was trained on less. */
    static final int DEFAULT_CONTEXT = PlannedLoader.DEFAULT_CONTEXT;

    /**
     * The one ledger of engines made without one. Every engine in a JVM loads onto the same devices,
     * so they must book against one record or two engines could overbook a GPU; the ledger itself is
     * thread-safe and holds no reference to any engine. Engines that want their own (tests, a second
     * independent pool) pass one to {@link #create(LlamaBackend, Ledger, DeviceInventory)}.
     */
    private static final Ledger JVM_LEDGER = new Ledger();

    private final LlamaBackend backend;
    private final Ledger ledger;
    private final PlannedLoader planned;
    private final DeviceInventory inventory;
    private final Set<Model> models = ConcurrentHashMap.newKeySet();
    private final EngineOptions options;
    private final ModelRegistry registry;

    private Engine(LlamaBackend backend, Ledger ledger, DeviceInventory inventory, EngineOptions options) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.options = Objects.requireNonNull(options, "options");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.planned = new PlannedLoader(backend, ledger, inventory, options.capBytes());
        this.registry = new ModelRegistry(this, options.registry());
    }

    /** An engine over the native library this JVM loads (see {@link LlamaBackend#get()}), on the JVM-wide ledger. */
    public static Engine create() {
        return create(LlamaBackend.get());
    }

    /** An engine over an already loaded backend, on the JVM-wide ledger and this machine's CUDA devices. */
    public static Engine create(LlamaBackend backend) {
        return new Engine(backend, JVM_LEDGER, new CudaDeviceInventory(HostMemory.system()), EngineOptions.defaults());
    }

    /**
     * An engine booking planned loads in {@code ledger}, reading free memory from {@code inventory}.
     * The caller keeps ownership of both; the engine only uses them.
     */
    public static Engine create(LlamaBackend backend, Ledger ledger, DeviceInventory inventory) {
        return new Engine(backend, ledger, inventory, EngineOptions.defaults());
    }

    /** As {@link #create(LlamaBackend, Ledger, DeviceInventory)}, with caps and registry rules from {@code options}. */
    public static Engine create(LlamaBackend backend, Ledger ledger, DeviceInventory inventory, EngineOptions options) {
        return new Engine(backend, ledger, inventory, options);
    }

    /** An engine on this machine's devices and the JVM-wide ledger, with caps and registry rules from {@code options}. */
    public static Engine create(EngineOptions options) {
        return new Engine(LlamaBackend.get(), JVM_LEDGER, new CudaDeviceInventory(HostMemory.system()), options);
    }

    public EngineOptions options() {
        return options;
    }

    /**
     * The models this engine serves by name: loaded on demand, shared, evicted when idle and in the way.
     * Models loaded with {@link #load} directly belong to their caller and are not in it.
     */
    public ModelRegistry registry() {
        return registry;
    }

    /** The ledger planned loads reserve in: the JVM-wide one unless the engine was given its own. */
    public Ledger ledger() {
        return ledger;
    }

    public LlamaBackend backend() {
        return backend;
    }

    /**
     * Where planned loads read each device's free memory: {@code inventory().read()} reads them now, as
     * the planner will (for an administration listing or metrics). The engine does not own it.
     */
    public DeviceInventory inventory() {
        return inventory;
    }

    /** Loads a model and creates its context. The caller closes the model, or closes the engine. */
    public Model load(Path path, LoadOptions options) {
        return load(path, options, null);
    }

    /**
     * As {@link #load(Path, LoadOptions)}, reporting load progress.
     *
     * @throws ModelDoesNotFitException planned mode only: the planner or the ledger refused the model, or
     *                                  every placement tried (see {@link PlannedLoader}) failed to allocate;
     *                                  nothing is loaded or reserved
     */
    public Model load(Path path, LoadOptions options, LoadProgressListener progress) {
        if (options.isPlanned()) {
            return loadPlanned(path, options, progress);
        }
        ModelHeader.read(path); // llama.cpp never sees a header Strata's reader rejects
        LlamaModel llamaModel = LlamaModel.load(backend, path, ModelParams.defaults().withGpuLayers(options.gpuLayers()),
                progress);
        try {
            int contextSize = options.contextSize() > 0 ? options.contextSize()
                    : Math.min(DEFAULT_CONTEXT, Math.max(llamaModel.info().trainingContext(), 1));
            LlamaContext context = LlamaContext.create(llamaModel, ContextLayout.forModel(llamaModel, options, contextSize));
            Model model = new Model(llamaModel, context, models::remove).configure(options);
            models.add(model);
            return model;
        } catch (RuntimeException e) {
            llamaModel.close();
            throw e;
        }
    }

    /** Loads through the planned loader and hands what it loaded to a new model, which then owns it. */
    private Model loadPlanned(Path path, LoadOptions options, LoadProgressListener progress) {
        LoadedModel loaded = planned.load(path, options, progress);
        try {
            Model model = new Model(loaded.model(), loaded.context(), models::remove, loaded.reservation(),
                    loaded.placement(), loaded.measured()).configure(options);
            models.add(model);
            return model;
        } catch (RuntimeException | Error e) {
            loaded.close();
            throw e;
        }
    }

    /**
     * Where a planned load of {@code path} would place it now (free memory net of what this engine's
     * ledger holds), or why it would not fit; reserves and loads nothing.
     */
    public PlanResult plan(Path path, LoadOptions options) {
        return planned.preview(path, options);
    }

    /** Models loaded and not yet closed. */
    public List<Model> models() {
        return List.copyOf(models);
    }

    @Override
    public void close() {
        registry.close();
        for (Model m : new ArrayList<>(models)) {
            m.close();
        }
    }
}
