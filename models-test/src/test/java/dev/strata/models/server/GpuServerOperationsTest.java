package dev.strata.models.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.http.admin.AdminListing;
import dev.strata.http.admin.DeviceMemory;
import dev.strata.http.admin.DeviceStatus;
import dev.strata.http.admin.ModelMemory;
import dev.strata.http.admin.ModelStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.models.TestModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On a GPU: what the admin listing (and so {@code ps} and the memory gauges of /metrics, which read the
 * same {@link ModelMemory}) says about a model planned onto cuda0, estimated against measured, with the
 * device's overhead split out of the measured figure. Only runtime and admin classes: the device's slim
 * class path has no Javalin or Micrometer.
 */
class GpuServerOperationsTest {

    @Test
    void aModelOnCuda0IsListedWithEstimatedAndMeasuredBytes() {
        assumeTrue(TestModels.gpuPresent(), "no NVIDIA GPU on this machine");
        try (Engine engine = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults())) {
            engine.registry().define("stories", TestModels.stories(), LoadOptions.planned().withContextSize(512));
            Model m = engine.registry().load("stories");
            engine.registry().submit("stories", GenerationRequest.of("Once upon a time").withMaxTokens(8)).result().join();
            System.out.println("placement: " + m.placement().orElseThrow().reason() + "; measured " + m.measuredBytes());

            List<DeviceMemory> memory = ModelMemory.of(m);
            memory.forEach(d -> System.out.println("memory " + d));
            DeviceMemory gpu = memory.stream().filter(d -> d.device().equals("cuda0")).findFirst().orElseThrow();
            assertThat(gpu.estimated().weights()).isPositive();
            assertThat(gpu.measured().weights()).isPositive();
            assertThat(gpu.measured().kv()).isPositive();
            // measured is the free memory cuda0 lost: llama.cpp's buffers plus what else the load took
            assertThat(gpu.measured().total()).isEqualTo(m.measuredBytes().get(DeviceId.cuda(0)));

            AdminListing listing = new AdminListing(engine);
            ModelStatus status = listing.model("stories").orElseThrow();
            assertThat(status.placement().devices()).anySatisfy(l -> assertThat(l.device()).isEqualTo("cuda0"));
            DeviceStatus cuda0 = listing.devices().get(0);
            System.out.println("device " + cuda0);
            assertThat(cuda0.device()).isEqualTo("cuda0");
            assertThat(cuda0.freeBytes()).isPositive().isLessThan(cuda0.totalBytes());
            assertThat(cuda0.heldBy()).containsEntry("stories", gpu.measured().total());

        }
    }
}
