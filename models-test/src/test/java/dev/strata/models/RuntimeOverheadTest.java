package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.RuntimeOverhead;
import org.junit.jupiter.api.Test;

/** The runtime overhead measured on a real device, and a clear refusal where there is none. */
class RuntimeOverheadTest {

    @Test
    void withoutTheGpuTheMeasurementNamesTheDevicesThereAre() {
        assumeFalse(TestModels.gpuPresent(), "this machine has a GPU");
        assertThatThrownBy(() -> RuntimeOverhead.measure(LlamaBackend.get(), TestModels.path("stories260K.gguf"), "CUDA0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no GPU device CUDA0")
                .hasMessageContaining("CPU");
    }

    @Test
    void aWarmedUpModelCostsAtMostAGibibyteBeyondItsBreakdown() {
        assumeTrue(TestModels.gpuPresent(), "no NVIDIA GPU on this machine");
        RuntimeOverhead o = RuntimeOverhead.measure(LlamaBackend.get(), TestModels.path("stories260K.gguf"), "CUDA0");
        System.out.println(o);
        assertThat(o.contextBytes()).isPositive();
        // other tests in this JVM may have grown CUDA's pools already (the seed case measures in a JVM
        // of its own: 107 MiB on the H100); here only the bounds
        assertThat(o.runtimeBytes()).isBetween(0L, 1L << 30);
    }
}
