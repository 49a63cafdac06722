package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.ledger.Ledger;
import dev.strata.models.TestModels;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaShape;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelRegistry;
import dev.strata.runtime.RegisteredModel;
import dev.strata.runtime.RegistryOptions;
import dev.strata.runtime.Residency;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a GPU, under a cap for all models together: when a third model would only fit with layers on the
 * CPU, the registry evicts the least recently used idle model instead, and the new one goes wholly on
 * the card (models-test/gpu/run-gpu.sh).
 */
class GpuRegistryEvictionTest {
    private static final long GIB = 1L << 30;

    @Test
    void anIdleModelIsEvictedRatherThanOffloadingTheNewOneToTheCpu(@TempDir Path dir) throws Exception {
        assumeTrue(TestModels.gpuPresent(), "no NVIDIA GPU on this machine");
        // Three layers of Llama-3-8B width in F16, zeros: about 1.3 GiB of weights each.
        Path file = dir.resolve("llama-3x4096-f16.gguf");
        SyntheticModels.writeLlama(file, LlamaShape.llama3_8b().withVocab(512).withBlockCount(3).withName("synthetic-evict"),
                GgmlType.F16, DataMode.SPARSE, 1, TestModels.stories());
        long cap = 3 * GIB + GIB / 4; // two fit, three do not
        try (Engine engine = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults().withCap(DeviceId.cuda(0), cap).withRegistry(RegistryOptions.defaults()))) {
            ModelRegistry r = engine.registry();
            LoadOptions planned = LoadOptions.planned().withContextSize(1024);
            r.define("a", file, planned);
            r.define("b", file, planned);
            r.define("c", file, planned);
            for (String name : new String[] {"a", "b"}) {
                Model m = r.load(name);
                assertThat(m.placement().orElseThrow().cpuLayers()).as(name + " wholly on the GPU").isZero();
                r.submit(name, GenerationRequest.of("Once").withMaxTokens(2)).result().join();
                Thread.sleep(5);
            }
            Model c = r.load("c");
            System.out.println("c: " + c.placement().orElseThrow().reason() + "; measured " + c.measuredBytes());
            assertThat(c.placement().orElseThrow().cpuLayers()).as("c wholly on the GPU").isZero();
            Map<String, Residency> state = r.models().stream()
                    .collect(Collectors.toMap(RegisteredModel::name, RegisteredModel::residency));
            assertThat(state).containsEntry("a", Residency.NOT_LOADED).containsEntry("b", Residency.LOADED)
                    .containsEntry("c", Residency.LOADED);
            long held = engine.ledger().held(DeviceId.cuda(0));
            assertThat(held).isLessThanOrEqualTo(cap);
        }
    }
}
