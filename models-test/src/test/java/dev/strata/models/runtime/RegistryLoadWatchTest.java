package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.models.TestModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.LoadProgress;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The read-only seams the server's operations use: load watching, memory at load, the engine's inventory. */
class RegistryLoadWatchTest {
    private static final LoadOptions SMALL = LoadOptions.planned().withContextSize(256).withThreads(2);

    private static Engine engine() {
        return Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults());
    }

    @Test
    void everyLoadIsWatchedFromItsFirstFractionToItsEnd() {
        try (Engine engine = engine()) {
            ModelRegistry r = engine.registry();
            r.define("stories", TestModels.stories(), SMALL);
            List<String> events = new CopyOnWriteArrayList<>();
            r.watchLoads(name -> new LoadProgress() {
                @Override
                public boolean onProgress(float fraction) {
                    events.add(name + " " + fraction);
                    return true;
                }

                @Override
                public void close() {
                    events.add(name + " closed");
                }
            });
            r.load("stories");
            r.load("stories"); // already loaded: no second load, nothing to watch
            assertThat(events).isNotEmpty();
            assertThat(events.get(events.size() - 1)).isEqualTo("stories closed");
            assertThat(events.get(events.size() - 2)).isEqualTo("stories 1.0");
            assertThat(events.stream().filter(e -> e.endsWith("closed")).count()).isEqualTo(1);

            r.unload("stories");
            r.reload("stories", SMALL.withSequences(2));
            assertThat(events.stream().filter(e -> e.endsWith("closed")).count()).isEqualTo(2);
        }
    }

    @Test
    void aWatcherThatFailsDoesNotStopTheLoad() {
        try (Engine engine = engine()) {
            ModelRegistry r = engine.registry();
            r.define("stories", TestModels.stories(), SMALL);
            AtomicInteger asked = new AtomicInteger();
            r.watchLoads(name -> {
                asked.incrementAndGet();
                throw new IllegalStateException("no terminal");
            });
            assertThat(r.load("stories").contextSize()).isEqualTo(256);
            assertThat(asked).hasValue(1);
        }
    }

    @Test
    void memoryAtLoadIsWhatTheContextHoldsAndTheInventoryListsTheCpu() {
        try (Engine engine = engine(); Model m = engine.load(TestModels.stories(), SMALL)) {
            MemoryBreakdown atLoad = m.memoryAtLoad();
            assertThat(atLoad.modelBytes()).isPositive();
            assertThat(atLoad.contextBytes()).isPositive();
            assertThat(atLoad).isEqualTo(m.memoryBreakdown()); // buffers keep their size while loaded
            // a planned load on the CPU measures llama.cpp's host buffers: the same bytes
            long host = atLoad.buffers().stream().filter(MemoryBreakdown.Buffer::host)
                    .mapToLong(MemoryBreakdown.Buffer::totalBytes).sum();
            assertThat(m.measuredBytes()).containsEntry(DeviceId.CPU, host);
            assertThat(engine.inventory().read().cpu().freeBytes()).isPositive();
        }
    }
}
