package dev.strata.models.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.models.TestModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.ModelRegistry;
import dev.strata.runtime.RegisteredModel;
import dev.strata.runtime.Residency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A load that fails leaves the model not loaded, and a later load fails again instead of waiting forever. */
class RegistryFailedLoadTest {

    @Test
    void aPlannedLoadOfAFileThatIsNoModelFailsAndCanBeTriedAgain(@TempDir Path dir) throws Exception {
        Path notAModel = Files.writeString(dir.resolve("not-a-model.gguf"), "hello");
        try (Engine engine = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults())) {
            ModelRegistry r = engine.registry();
            r.define("broken", notAModel, LoadOptions.planned().withThreads(2));
            r.define("stories", TestModels.stories(), LoadOptions.planned().withContextSize(256).withThreads(2));
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int attempt = 0; attempt < 2; attempt++) {
                    assertThatThrownBy(() -> r.load("broken")).isInstanceOf(RuntimeException.class);
                    assertThat(r.models().stream().filter(m -> m.name().equals("broken")).map(RegisteredModel::residency))
                            .containsExactly(Residency.NOT_LOADED);
                }
                assertThat(r.load("stories").contextSize()).isEqualTo(256); // the registry still loads others
            });
        }
    }
}
