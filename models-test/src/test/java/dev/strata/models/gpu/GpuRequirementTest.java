package dev.strata.models.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.BackendDevice.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GPU-only mains say plainly what is missing on a machine without the GPUs. */
class GpuRequirementTest {
    private static final BackendDevice CPU = new BackendDevice(0, "CPU", "AMD EPYC", Kind.CPU, 8L << 30, 16L << 30);

    private static BackendDevice gpu(int i) {
        return new BackendDevice(i, "CUDA" + i, "NVIDIA H200", Kind.GPU, 140L << 30, 143L << 30);
    }

    @Test
    void aCpuOnlyMachineIsToldWhatItLacksAndWhereToRun() {
        String problem = GpuRequirement.problem(List.of(CPU), 2, "cpu").orElseThrow();
        assertThat(problem).contains("needs 2 NVIDIA GPUs").contains("llama.cpp sees 0").contains("CPU (AMD EPYC)")
                .contains("variant cpu").contains("STRATA_GPU_PROOF").contains("docs/gpu-proof.md");
    }

    @Test
    void oneGpuIsNotEnoughForTwoButEnoughForOne() {
        List<BackendDevice> one = List.of(gpu(0), CPU);
        assertThat(GpuRequirement.problem(one, 2, "cuda")).get().asString().contains("sees 1");
        assertThat(GpuRequirement.problem(one, 1, "cuda")).isEmpty();
        assertThat(GpuRequirement.all(List.of(gpu(0), gpu(1), CPU))).containsExactly("CUDA0", "CUDA1");
    }
}
