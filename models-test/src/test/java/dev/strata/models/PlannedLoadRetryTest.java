package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.AllocationFailedException;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SamplingParams;
import dev.strata.llama.TestHooks;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.ExplicitDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.memory.plan.Placement;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelDoesNotFitException;
import dev.strata.runtime.TokenStream;
import dev.strata.runtime.load.PlannedLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A planned load whose allocation fails moves layers to the CPU and tries again, on any machine: the
 * engine believes it has an 8 GiB cuda0 (a cpu build ignores n_gpu_layers, so every attempt really
 * runs on the CPU), and the bridge's test hook fails the loads that ask for GPU layers exactly as a
 * failed cudaMalloc is reported.
 */
class PlannedLoadRetryTest {
    private static final DeviceId CUDA0 = DeviceId.cuda(0);

    private final TestHooks hooks = LlamaBackend.get().testHooks();
    private Ledger ledger;
    private Engine engine;

    @BeforeEach
    void start() {
        ledger = new Ledger();
        engine = Engine.create(LlamaBackend.get(), ledger,
                ExplicitDeviceInventory.parse("cuda0=8GiB", HostMemory.system()));
    }

    @AfterEach
    void stop() {
        hooks.reset();
        engine.close();
        assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
        assertThat(ledger.heldBy(CUDA0)).isEmpty();
    }

    private static String greedy(Model model) {
        try (TokenStream s = model.generate(GenerationRequest.of("Once upon a time").withMaxTokens(40)
                .withSampling(SamplingParams.greedy()))) {
            s.forEachRemaining(t -> { });
            return s.result().text();
        }
    }

    private String plainCpuText() {
        try (Model m = engine.load(TestModels.stories(), LoadOptions.defaults().withContextSize(256))) {
            return greedy(m);
        }
    }

    @Test
    void theHookFailsAGpuLoadAsCudaWouldAndThenDisarms() {
        hooks.failNextModelLoads(1, 3L << 20);
        assertThatThrownBy(() -> LlamaModel.load(LlamaBackend.get(), TestModels.stories(),
                ModelParams.defaults().withGpuLayers(99), null))
                .isInstanceOfSatisfying(AllocationFailedException.class, e -> {
                    assertThat(e.device()).hasValue("CUDA0");
                    assertThat(e.requestedBytes()).hasValue(3L << 20);
                })
                .hasMessageContaining("cudaMalloc failed: out of memory");
        try (LlamaModel m = LlamaModel.load(LlamaBackend.get(), TestModels.stories(),
                ModelParams.defaults().withGpuLayers(99), null)) {
            assertThat(m.info().layerCount()).isPositive();
        }
    }

    @Test
    void aFailedGpuAllocationMovesLayersToTheCpuAndTheModelAnswersAsAPlainLoadDoes() {
        String expected = plainCpuText();
        int allLayers;
        try (Model m = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256))) {
            allLayers = m.placement().orElseThrow().gpuLayers(); // unhindered: the whole model on cuda0
            assertThat(allLayers).isEqualTo(m.placement().orElseThrow().layerCount() + 1);
        }

        hooks.failNextModelLoads(1, 1); // cuda0 lacked a byte: at least one layer must move
        try (Model m = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256))) {
            Placement p = m.placement().orElseThrow();
            assertThat(p.gpuLayers()).isPositive().isLessThan(allLayers);
            assertThat(greedy(m)).isEqualTo(expected);
            // only the attempt that loaded holds memory, at what was measured
            String id = m.ledgerId().orElseThrow();
            assertThat(ledger.heldBy(DeviceId.CPU)).containsOnlyKeys(id);
            assertThat(ledger.reservation(id)).isEqualTo(m.measuredBytes());
        }
    }

    @Test
    void theLastAttemptRunsAllOnTheCpu() {
        String expected = plainCpuText();
        hooks.failNextModelLoads(PlannedLoader.MAX_ATTEMPTS - 1, 1);
        try (Model m = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256))) {
            Placement p = m.placement().orElseThrow();
            assertThat(p.gpuLayers()).isZero();
            assertThat(p.gpus()).isEmpty();
            assertThat(greedy(m)).isEqualTo(expected);
            assertThat(ledger.heldBy(DeviceId.CPU)).containsOnlyKeys(m.ledgerId().orElseThrow());
            assertThat(ledger.heldBy(CUDA0)).isEmpty();
        }
    }

    @Test
    void whenEvenTheCpuFailsTheErrorNamesEveryAttemptAndNothingStaysReserved() {
        hooks.failNextModelLoads(100, 1);
        assertThatThrownBy(() -> engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256)))
                .isInstanceOfSatisfying(ModelDoesNotFitException.class, e -> {
                    assertThat(e.getMessage())
                            .contains("stories260K.gguf could not be allocated in " + PlannedLoader.MAX_ATTEMPTS + " attempts")
                            .contains("attempt 1 (", "on cuda0", "CUDA0 could not allocate 1 B")
                            .contains("attempt " + PlannedLoader.MAX_ATTEMPTS + " (all ", "layers on the CPU", "CPU could not allocate");
                    assertThat(e.getCause()).isInstanceOf(AllocationFailedException.class);
                    assertThat(e.getSuppressed()).hasSize(PlannedLoader.MAX_ATTEMPTS - 1);
                    assertThat(e.refusal()).isEmpty();
                });
        assertThat(engine.models()).isEmpty();
        assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
    }

}
