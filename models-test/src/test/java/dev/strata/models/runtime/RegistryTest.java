package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.models.TestModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelDoesNotFitException;
import dev.strata.runtime.ModelRegistry;
import dev.strata.runtime.RegisteredModel;
import dev.strata.runtime.RegistryOptions;
import dev.strata.runtime.Residency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The engine's registry on real models: sharing, coalescing, eviction order, pinning, keep-alive. */
class RegistryTest {
    private static final LoadOptions SMALL = LoadOptions.defaults().withContextSize(256).withThreads(2);

    private static Engine engine(RegistryOptions options) {
        return Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults().withRegistry(options));
    }

    /** Three names for stories260K and one for its MoE variant: separate models as far as the registry goes. */
    private static ModelRegistry define(Engine engine, LoadOptions options) {
        ModelRegistry r = engine.registry();
        r.define("a", TestModels.stories(), options);
        r.define("b", TestModels.stories(), options);
        r.define("c", TestModels.stories(), options);
        r.define("moe", TestModels.storiesMoe(), options);
        return r;
    }

    private static Map<String, Residency> residency(ModelRegistry r) {
        return r.models().stream().collect(Collectors.toMap(RegisteredModel::name, RegisteredModel::residency));
    }

    private static String greedy(ModelRegistry r, String name) {
        return r.submit(name, GenerationRequest.of("Once upon a time").withMaxTokens(12)).result().join().text();
    }

    @Test
    void twoModelsResidentAtOnceBothAnswer() {
        try (Engine engine = engine(RegistryOptions.defaults())) {
            ModelRegistry r = define(engine, SMALL);
            Generation dense = r.submit("a", GenerationRequest.of("Once upon a time").withMaxTokens(16));
            Generation moe = r.submit("moe", GenerationRequest.of("Once upon a time").withMaxTokens(16));
            assertThat(residency(r)).containsEntry("a", Residency.LOADED).containsEntry("moe", Residency.LOADED);
            assertThat(dense.result().join().generatedTokens()).isPositive();
            assertThat(moe.result().join().generatedTokens()).isPositive();
            assertThat(r.load("a")).isSameAs(r.load("a")); // loaded once, shared
        }
    }

    @Test
    void concurrentLoadsOfOneModelCoalesceIntoOneLoad() throws Exception {
        try (Engine engine = engine(RegistryOptions.defaults())) {
            ModelRegistry r = define(engine, SMALL);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Model>> got = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    got.add(pool.submit(() -> {
                        go.await();
                        return r.load("a");
                    }));
                }
                go.countDown();
                Model first = got.get(0).get(30, TimeUnit.SECONDS);
                for (Future<Model> f : got) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isSameAs(first);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(engine.models()).hasSize(1);
        }
    }

    @Test
    void theLeastRecentlyUsedIdleModelIsEvictedFirst() throws Exception {
        try (Engine engine = engine(RegistryOptions.defaults().withMaxLoaded(2))) {
            ModelRegistry r = define(engine, SMALL);
            greedy(r, "a");
            Thread.sleep(5);
            greedy(r, "b");
            Thread.sleep(5);
            greedy(r, "a"); // a is now the more recently used
            greedy(r, "c"); // needs room: b goes
            assertThat(residency(r)).containsEntry("a", Residency.LOADED).containsEntry("b", Residency.NOT_LOADED)
                    .containsEntry("c", Residency.LOADED);
            greedy(r, "b"); // and back: a is least recent now
            assertThat(residency(r)).containsEntry("a", Residency.NOT_LOADED).containsEntry("b", Residency.LOADED)
                    .containsEntry("c", Residency.LOADED);
            assertThat(engine.models()).hasSize(2);
        }
    }

    @Test
    void pinnedModelsAreNeverEvicted() throws Exception {
        try (Engine engine = engine(RegistryOptions.defaults().withMaxLoaded(2))) {
            ModelRegistry r = define(engine, SMALL);
            greedy(r, "a");
            r.pin("a", true);
            Thread.sleep(5);
            greedy(r, "b");
            greedy(r, "c"); // a is least recent but pinned: b goes
            assertThat(residency(r)).containsEntry("a", Residency.LOADED).containsEntry("b", Residency.NOT_LOADED);
            r.pin("c", true);
            assertThatThrownBy(() -> greedy(r, "b")).isInstanceOf(ModelDoesNotFitException.class)
                    .hasMessageContaining("pinned");
            r.unload("c"); // explicit unload still works on a pinned model
            assertThat(greedy(r, "b")).isNotEmpty();
        }
    }

    @Test
    void aModelWithARunningRequestIsNotEvicted() throws Exception {
        try (Engine engine = engine(RegistryOptions.defaults().withMaxLoaded(1))) {
            ModelRegistry r = define(engine, SMALL.withContextSize(2048));
            Generation running = r.submit("a", GenerationRequest.of("Once upon a time").withMaxTokens(1500).withIgnoreEos(true));
            running.tokens().next();
            assertThatThrownBy(() -> r.load("b")).isInstanceOf(ModelDoesNotFitException.class);
            assertThat(running.isDone()).isFalse();
            running.cancel();
            assertThat(running.result().get(10, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(greedy(r, "b")).isNotEmpty(); // now a is idle and goes
            assertThat(residency(r)).containsEntry("a", Residency.NOT_LOADED);
        }
    }

    @Test
    void withModelLoadsOnDemandAndHandsTheSharedModelToTheCaller() {
        try (Engine engine = engine(RegistryOptions.defaults())) {
            ModelRegistry r = define(engine, SMALL);
            assertThat(residency(r)).containsEntry("a", Residency.NOT_LOADED);
            int context = r.withModel("a", Model::contextSize);
            assertThat(context).isEqualTo(256);
            assertThat(residency(r)).containsEntry("a", Residency.LOADED);
            Generation g = r.withModel("a", m -> m.submit(GenerationRequest.of("Once upon a time").withMaxTokens(8)));
            assertThat(g.result().join().generatedTokens()).isPositive();
            Model shared = r.withModel("a", m -> m);
            assertThat(shared).isSameAs(r.load("a"));
            assertThatThrownBy(() -> r.withModel("nope", m -> m)).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void keepAliveProtectsARecentlyUsedModelAndIdleUnloadFreesAnOldOne() throws Exception {
        try (Engine engine = engine(RegistryOptions.defaults().withMaxLoaded(1).withKeepAlive(Duration.ofHours(1)))) {
            ModelRegistry r = define(engine, SMALL);
            greedy(r, "a");
            assertThatThrownBy(() -> r.load("b")).isInstanceOf(ModelDoesNotFitException.class)
                    .hasMessageContaining("keep-alive");
        }
        try (Engine engine = engine(RegistryOptions.defaults().withIdleUnload(Duration.ofMillis(200)))) {
            ModelRegistry r = define(engine, SMALL);
            greedy(r, "a");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((residency(r).get("a") == Residency.LOADED || !engine.models().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(residency(r)).containsEntry("a", Residency.NOT_LOADED);
            assertThat(engine.models()).isEmpty();
            assertThat(greedy(r, "a")).isNotEmpty(); // loads again on demand
        }
    }

    @Test
    void aLoadOverTheCapEvictsThroughTheLedger() throws Exception {
        // What one planned stories load asks for (the estimate) and then holds (measured) on the CPU.
        long estimate;
        long held;
        try (Engine probe = engine(RegistryOptions.defaults())) {
            probe.registry().define("a", TestModels.stories(), LoadOptions.planned().withContextSize(256).withThreads(2));
            Model m = probe.registry().load("a");
            estimate = m.placement().orElseThrow().host().totalBytes();
            held = m.measuredBytes().get(DeviceId.CPU);
        }
        // A cap on the CPU with room for a new load (the estimate) beside one loaded model, not beside two.
        long cap = estimate + held * 3 / 2;
        Ledger ledger = new Ledger();
        try (Engine engine = Engine.create(LlamaBackend.get(), ledger, new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults().withCap(DeviceId.CPU, cap))) {
            ModelRegistry r = define(engine, LoadOptions.planned().withContextSize(256).withThreads(2));
            greedy(r, "a");
            Thread.sleep(5);
            greedy(r, "b");
            assertThat(ledger.heldBy(DeviceId.CPU)).hasSize(2);
            greedy(r, "c"); // a third does not fit: the least recently used (a) is evicted
            assertThat(residency(r)).containsEntry("a", Residency.NOT_LOADED).containsEntry("b", Residency.LOADED)
                    .containsEntry("c", Residency.LOADED);
            assertThat(ledger.heldBy(DeviceId.CPU)).hasSize(2);
        }
        assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
    }

    @Test
    void reloadAppliesNewOptionsAndUnknownNamesAreClear() {
        try (Engine engine = engine(RegistryOptions.defaults())) {
            ModelRegistry r = define(engine, SMALL);
            assertThat(r.load("a").contextSize()).isEqualTo(256);
            Model reloaded = r.reload("a", SMALL.withContextSize(512));
            assertThat(reloaded.contextSize()).isEqualTo(512);
            assertThat(r.load("a")).isSameAs(reloaded);
            assertThatThrownBy(() -> r.load("nope")).isInstanceOf(NoSuchElementException.class).hasMessageContaining("nope");
        }
    }
}
