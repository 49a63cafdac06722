package dev.strata.memory.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.shape.ModelShape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Weight bytes per device for a 4-layer model whose sizes are worked out by hand:
 * <pre>
 *                         CPU (32-aligned)     CUDA (128-aligned, Q8_0 rows of 320 padded by 192 elements)
 * attn_q Q8_0 [320,320]   108,800              108,800 + 204 = 109,004 -> 109,056
 * attn_norm F32 [320]       1,280                1,280
 * one layer               110,080              110,336
 * token_embd/output Q8_0  340,000              340,000 + 204 = 340,204 -> 340,224
 * output_norm F32 [320]     1,280                1,280
 * </pre>
 */
class WeightEstimateTest {
    private static final long LAYER_CPU = 110_080;
    private static final long LAYER_CUDA = 110_336;
    private static final long MATRIX_CPU = 340_000;
    private static final long MATRIX_CUDA = 340_224;
    private static final long NORM = 1_280;

    private static TestShapes base() {
        return TestShapes.layers(4)
                .tensor("token_embd.weight", GgmlType.Q8_0, 320, 1000)
                .tensor("output_norm.weight", GgmlType.F32, 320)
                .everyLayer("blk.%d.attn_norm.weight", GgmlType.F32, 320)
                .everyLayer("blk.%d.attn_q.weight", GgmlType.Q8_0, 320, 320);
    }

    private static ModelShape model() {
        return base().tensor("output.weight", GgmlType.Q8_0, 320, 1000).build();
    }

    private static LayerAssignment gpu(int gpuLayers, int gpus) {
        List<String> names = gpus == 1 ? List.of("CUDA0") : List.of("CUDA0", "CUDA1");
        List<Float> split = gpus == 1 ? List.of(1f) : List.of(1f, 1f);
        return LayerAssignment.llamaCpp(4, gpuLayers, names, split, List.of());
    }

    @Test
    void everythingOnTheCpu() {
        WeightEstimate w = WeightEstimate.of(model(), LayerAssignment.cpuOnly(4), CpuRepack.NONE);
        assertThat(w.bytesByDevice()).isEqualTo(Map.of("CPU", 4 * LAYER_CPU + 2 * MATRIX_CPU + NORM));
    }

    @Test
    void allLayersOnAGpuLeaveOnlyTheTokenEmbeddingOnTheCpu() {
        WeightEstimate w = WeightEstimate.of(model(), gpu(-1, 1), CpuRepack.NONE);
        assertThat(w.bytesOn("CPU")).isEqualTo(MATRIX_CPU);
        assertThat(w.bytesOn("CUDA0")).isEqualTo(4 * LAYER_CUDA + MATRIX_CUDA + NORM);
    }

    @Test
    void twoGpuLayersAreTheLastLayerAndTheOutputLayer() {
        WeightEstimate w = WeightEstimate.of(model(), gpu(2, 1), CpuRepack.NONE);
        assertThat(w.bytesOn("CUDA0")).isEqualTo(LAYER_CUDA + MATRIX_CUDA + NORM);
        assertThat(w.bytesOn("CPU")).isEqualTo(3 * LAYER_CPU + MATRIX_CPU);
        assertThat(w.totalBytes()).isEqualTo(w.bytesOn("CPU") + w.bytesOn("CUDA0"));
    }

    @Test
    void anOverrideBeatsTheLayerPlacement() {
        LayerAssignment a = gpu(-1, 1).withOverrides(List.of(new BufferOverride("attn_q", "CPU")));
        WeightEstimate w = WeightEstimate.of(model(), a, CpuRepack.NONE);
        assertThat(w.bytesOn("CUDA0")).isEqualTo(4 * NORM + NORM + MATRIX_CUDA);
        assertThat(w.bytesOn("CPU")).isEqualTo(MATRIX_CPU + 4 * 108_800);
    }

    @Test
    void aTiedHeadIsCopiedToAGpuOutputLayer() {
        ModelShape tied = base().tied().build();
        WeightEstimate onGpu = WeightEstimate.of(tied, gpu(-1, 1), CpuRepack.NONE);
        assertThat(onGpu.bytesOn("CPU")).isEqualTo(MATRIX_CPU);
        assertThat(onGpu.bytesOn("CUDA0")).isEqualTo(4 * LAYER_CUDA + NORM + MATRIX_CUDA);

        // on the CPU both uses share one tensor unless CPU_REPACK takes the matrix (it does not take Q8_0 on x86)
        WeightEstimate onCpu = WeightEstimate.of(tied, LayerAssignment.cpuOnly(4), CpuRepack.x86Avx2());
        assertThat(onCpu.bytesOn("CPU")).isEqualTo(4 * LAYER_CPU + MATRIX_CPU + NORM);
    }

    @Test
    void aTiedHeadOnTheCpuIsCopiedWhenTheCpuRepacksItsType() {
        ModelShape tied = TestShapes.layers(1).tensor("token_embd.weight", GgmlType.Q4_0, 320, 1000).tied().build();
        long embedding = 320 * 1000 / 32 * 18; // 180,000
        assertThat(WeightEstimate.of(tied, LayerAssignment.cpuOnly(1), CpuRepack.x86Avx2()).bytesOn("CPU"))
                .isEqualTo(2 * embedding);
        assertThat(WeightEstimate.of(tied, LayerAssignment.cpuOnly(1), CpuRepack.NONE).bytesOn("CPU"))
                .isEqualTo(embedding);
        // the copy has the embedding's name, so an override of it moves both uses
        LayerAssignment overridden = LayerAssignment.cpuOnly(1).withOverrides(List.of(new BufferOverride("token_embd", "CUDA0")));
        assertThat(WeightEstimate.of(tied, overridden, CpuRepack.x86Avx2()).bytesByDevice())
                .containsEntry("CPU", 0L).containsEntry("CUDA0", 180_224L);
    }

    @Test
    void ropeFactorsExistOncePerDeviceThatHoldsLayers() {
        ModelShape s = TestShapes.layers(4).tensor("rope_freqs.weight", GgmlType.F32, 32).build();
        // n_gpu_layers 4 of 5: layer 0 on the CPU, 1-2 on CUDA0, 3 and the output on CUDA1
        WeightEstimate w = WeightEstimate.of(s, gpu(4, 2), CpuRepack.NONE);
        assertThat(w.bytesByDevice()).isEqualTo(Map.of("CPU", 128L, "CUDA0", 128L, "CUDA1", 128L));
    }

    @Test
    void multiTokenPredictionLayersAreNotAllocated() {
        ModelShape s = base().tensor("output.weight", GgmlType.Q8_0, 320, 1000).mtp(1).build();
        WeightEstimate w = WeightEstimate.of(s, LayerAssignment.cpuOnly(4), CpuRepack.NONE);
        assertThat(w.bytesOn("CPU")).isEqualTo(3 * LAYER_CPU + 2 * MATRIX_CPU + NORM);
    }

    @Test
    void anAssignmentForAnotherModelIsRefused() {
        assertThatThrownBy(() -> WeightEstimate.of(model(), LayerAssignment.cpuOnly(5), CpuRepack.NONE))
                .hasMessageContaining("5 layers");
    }
}
