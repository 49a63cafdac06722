package dev.strata.memory.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** llama.cpp's layer placement (llama-model.cpp, load_tensors); expectations checked with a float32 re-implementation. */
class LayerAssignmentTest {

    private static List<String> gpus(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("CUDA" + i);
        }
        return out;
    }

    private static List<Float> split(String s) {
        return Arrays.stream(s.split(" ")).map(Float::parseFloat).toList();
    }

    /** ranges as "CUDA0:0-17 CUDA1:17-32" (end exclusive), or "-" for none. */
    @ParameterizedTest(name = "n_layer {0}, n_gpu_layers {1}, split [{2}] -> {3}, output {4}")
    @CsvSource(delimiter = '|', textBlock = """
            32 |  0 | 1       | -                                    | CPU
            32 | -1 | 1       | CUDA0:0-32                           | CUDA0
            32 | 33 | 1       | CUDA0:0-32                           | CUDA0
            32 | 99 | 1       | CUDA0:0-32                           | CUDA0
            32 | 32 | 1       | CUDA0:1-32                           | CUDA0
            32 | 10 | 1       | CUDA0:23-32                          | CUDA0
            32 |  1 | 1       | -                                    | CUDA0
            32 | -1 | 1 1     | CUDA0:0-17 CUDA1:17-32               | CUDA1
            32 | -1 | 3 1     | CUDA0:0-25 CUDA1:25-32               | CUDA1
            32 | -1 | 1 0 1   | CUDA0:0-17 CUDA2:17-32               | CUDA2
            80 | 40 | 1 1     | CUDA0:41-61 CUDA1:61-80              | CUDA1
            80 | -1 | 24 24 24 | CUDA0:0-27 CUDA1:27-54 CUDA2:54-80  | CUDA2
             5 |  3 | 1 1     | CUDA0:3-5                            | CUDA1
            """)
    void followsLlamaCppsSplitRule(int layers, int gpuLayers, String tensorSplit, String ranges, String output) {
        List<Float> s = split(tensorSplit);
        LayerAssignment a = LayerAssignment.llamaCpp(layers, gpuLayers, gpus(s.size()), s, List.of());

        List<DeviceRange> expected = new ArrayList<>();
        if (!ranges.equals("-")) {
            for (String r : ranges.split(" ")) {
                String[] p = r.split("[:-]");
                expected.add(new DeviceRange(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2])));
            }
        }
        assertThat(a.gpuRanges()).isEqualTo(expected);
        assertThat(a.outputDevice()).isEqualTo(output);
        assertThat(a.deviceOf(layers)).isEqualTo(output);
    }

    @Test
    void layersOutsideEveryRangeAreOnTheCpu() {
        LayerAssignment a = new LayerAssignment(10, List.of(new DeviceRange("CUDA0", 2, 5), new DeviceRange("CUDA1", 7, 10)),
                "CUDA1", List.of());
        assertThat(a.deviceOf(0)).isEqualTo("CPU");
        assertThat(a.deviceOf(2)).isEqualTo("CUDA0");
        assertThat(a.deviceOf(5)).isEqualTo("CPU");
        assertThat(a.deviceOf(9)).isEqualTo("CUDA1");
        assertThat(a.devices()).containsExactly("CPU", "CUDA0", "CUDA1");
    }

    @Test
    void noGpusMeansEverythingOnTheCpu() {
        LayerAssignment a = LayerAssignment.llamaCpp(32, -1, List.of(), List.of(), List.of());
        assertThat(a).isEqualTo(LayerAssignment.cpuOnly(32));
    }

    @Test
    void overridesAreTriedInOrder() {
        LayerAssignment a = LayerAssignment.cpuOnly(2).withOverrides(List.of(
                new BufferOverride("ffn_up_exps", "CUDA1"), new BufferOverride("_exps", "CPU")));
        assertThat(a.overrideFor("blk.0.ffn_up_exps.weight")).isEqualTo("CUDA1");
        assertThat(a.overrideFor("blk.0.ffn_down_exps.weight")).isEqualTo("CPU");
        assertThat(a.overrideFor("blk.0.attn_q.weight")).isNull();
    }

    @Test
    void rejectsWhatLlamaCppCouldNotMeanOrDecideAlone() {
        assertThatThrownBy(() -> LayerAssignment.llamaCpp(8, -1, gpus(2), List.of(1f), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LayerAssignment.llamaCpp(8, -1, gpus(2), List.of(0f, 0f), List.of()))
                .hasMessageContaining("free memory");
        assertThatThrownBy(() -> new LayerAssignment(8, List.of(new DeviceRange("CUDA0", 0, 5),
                new DeviceRange("CUDA1", 4, 8)), "CPU", List.of())).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> new LayerAssignment(8, List.of(new DeviceRange("CUDA0", 0, 9)), "CPU", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BufferOverride("(", "CPU")).hasMessageContaining("invalid override pattern");
    }
}
