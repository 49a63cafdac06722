package dev.strata.memory.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BufferRulesTest {

    /** Hand-computed: Q8_0 is 34 bytes per 32 elements, Q4_K 144 per 256. */
    @ParameterizedTest(name = "{0} {1} [{2} x {3}] -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            CPU   | F32  |   30 |    1 |     128
            CPU   | Q8_0 |  320 |  320 |  108800
            CPU   | Q8_0 |  320 | 1000 |  340000
            CUDA0 | F32  |   30 |    1 |     128
            CUDA0 | F16  |  320 |    3 |    1920
            CUDA0 | Q8_0 |  320 |  320 |  109056
            CUDA0 | Q8_0 |  320 | 1000 |  340224
            CUDA0 | Q8_0 | 1024 | 1000 | 1088000
            CUDA1 | Q4_K | 4096 | 4096 | 9437184
            CUDA1 | Q4_K | 1280 |   10 |    7424
            """)
    void sizesLikeTheBufferType(String device, GgmlType type, long ne0, long ne1, long expected) {
        assertThat(BufferRules.forDevice(device).allocBytes(type, ne0, ne0 * ne1)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"CPU, CPU", "CUDA0, CUDA", "CUDA12, CUDA", "CUDA_Host, CPU", "Vulkan0, CPU"})
    void rulesByDeviceName(String device, String kind) {
        assertThat(BufferRules.forDevice(device).kind()).isEqualTo(kind);
    }
}
