package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.SamplingParams;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelDoesNotFitException;
import dev.strata.runtime.TokenStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Planned, ledger-backed loading on a real model; on a machine without a GPU the plan is all on the CPU. */
class PlannedLoadTest {
    private Ledger ledger;
    private Engine engine;

    @BeforeEach
    void start() {
        // A ledger of its own, so that models of other tests in this JVM do not show in its figures.
        ledger = new Ledger();
        engine = Engine.create(LlamaBackend.get(), ledger, new CudaDeviceInventory(HostMemory.system()));
    }

    @AfterEach
    void stop() {
        engine.close();
        assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
    }

    private static String greedy(Model model) {
        try (TokenStream s = model.generate(GenerationRequest.of("Once upon a time").withMaxTokens(40)
                .withSampling(SamplingParams.greedy()))) {
            s.forEachRemaining(t -> { });
            return s.result().text();
        }
    }

    @Test
    void plannedLoadGeneratesWhatAnExplicitLoadGenerates() {
        String explicit;
        try (Model m = engine.load(TestModels.stories(), LoadOptions.defaults().withContextSize(256))) {
            explicit = greedy(m);
            assertThat(m.placement()).isEmpty();
            assertThat(m.measuredBytes()).isEmpty();
            assertThat(m.ledgerId()).isEmpty();
        }
        try (Model m = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256))) {
            assertThat(greedy(m)).isEqualTo(explicit);
            assertThat(m.placement()).hasValueSatisfying(p -> assertThat(p.contextSize()).isEqualTo(256));
            assertThat(m.contextSize()).isEqualTo(256);
            assertThat(m.measuredBytes()).containsKey(DeviceId.CPU);
            assertThat(m.measuredBytes().get(DeviceId.CPU)).isPositive();
            // Committed: the ledger holds what was measured, not the estimate.
            assertThat(ledger.reservation(m.ledgerId().orElseThrow())).isEqualTo(m.measuredBytes());
        }
    }

    @Test
    void twoPlannedModelsHoldTheirOwnReservationsAndClosingOneReleasesOnlyIt() {
        Model a = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256));
        Model b = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(512));
        String idA = a.ledgerId().orElseThrow();
        String idB = b.ledgerId().orElseThrow();
        assertThat(idA).isNotEqualTo(idB);
        assertThat(ledger.heldBy(DeviceId.CPU)).containsOnlyKeys(idA, idB);
        assertThat(ledger.held(DeviceId.CPU))
                .isEqualTo(a.measuredBytes().get(DeviceId.CPU) + b.measuredBytes().get(DeviceId.CPU));

        a.close();
        assertThat(ledger.heldBy(DeviceId.CPU)).containsOnlyKeys(idB);
        a.close(); // harmless, and releases nothing of b's
        assertThat(ledger.reservation(idB)).isEqualTo(b.measuredBytes());
        assertThat(engine.models()).containsExactly(b);

        b.close();
        b.close();
        assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
    }

    @Test
    void aModelTheHostCannotHoldIsRefusedWithTheReasonAndReservesNothing() {
        // a machine of a CPU only, whatever this one has: with a GPU the model would simply go there
        engine.close();
        engine = Engine.create(LlamaBackend.get(), ledger,
                dev.strata.memory.device.ExplicitDeviceInventory.parse("cpu=64GiB", HostMemory.system()));
        assertThatThrownBy(() -> engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256).withHostBytes(1024)))
                .isInstanceOf(ModelDoesNotFitException.class)
                .hasMessageContaining("stories260K.gguf does not fit")
                .satisfies(e -> assertThat(((ModelDoesNotFitException) e).refusal()).isPresent());
        assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
        assertThat(engine.models()).isEmpty();
    }

    @Test
    void explicitLoadsReserveNothing() {
        try (Model m = engine.load(TestModels.stories(), LoadOptions.defaults().withContextSize(256))) {
            assertThat(ledger.heldBy(DeviceId.CPU)).isEmpty();
            assertThat(m.ledgerId()).isEmpty();
        }
    }

    /** On a GPU: the stories model fits wholly, the card holds it, and the ledger holds what the card measured. */
    @Test
    void onAGpuEveryLayerGoesThereAndTheLedgerHoldsWhatTheCardHolds() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestModels.gpuPresent(), "no NVIDIA GPU on this machine");
        try (Model m = engine.load(TestModels.stories(), LoadOptions.planned().withContextSize(256))) {
            dev.strata.memory.plan.Placement p = m.placement().orElseThrow();
            assertThat(p.gpuLayers()).isEqualTo(p.layerCount() + 1);
            long planned = p.gpus().get(0).totalBytes();
            long measured = m.measuredBytes().getOrDefault(DeviceId.cuda(0), 0L);
            System.out.println("stories260K on cuda0: planned " + planned + " bytes, measured " + measured);
            assertThat(measured).isPositive();
            // what no estimate counts (pools, runtime state) stays inside the 1 GiB reserve
            assertThat(measured).isLessThan(planned + (1L << 30));
            assertThat(ledger.reservation(m.ledgerId().orElseThrow())).isEqualTo(m.measuredBytes());
            assertThat(greedy(m)).isNotBlank();
        }
    }
}
