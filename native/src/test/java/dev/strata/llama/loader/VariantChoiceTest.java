package dev.strata.llama.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.NativeVariant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VariantChoiceTest {

    @ParameterizedTest(name = "requested={0} lib={1} driver={2} device={3} -> {4}")
    @CsvSource({
            "auto, true,  true,  true,  CUDA CPU",
            "auto, false, true,  true,  CPU",
            "auto, true,  false, true,  CPU",
            "auto, true,  true,  false, CPU",
            "'',   true,  true,  true,  CUDA CPU",
            "cpu,  true,  true,  true,  CPU",
            "CUDA, false, false, false, CUDA",
            "cuda, true,  true,  true,  CUDA",
    })
    void choosesCudaOnlyWhenEverythingIsThere(String requested, boolean lib, boolean driver, boolean device,
                                              String expected) {
        List<NativeVariant> order = VariantChoice.choose(requested, lib, driver, device).order();
        assertThat(order.stream().map(Enum::name).toList()).isEqualTo(List.of(expected.split(" ")));
    }

    @Test
    void reasonSaysWhatIsMissing() {
        assertThat(VariantChoice.choose("auto", true, false, true).reason()).contains("driver");
        assertThat(VariantChoice.choose("auto", true, true, false).reason()).contains("device");
        assertThat(VariantChoice.choose("auto", false, true, true).reason()).contains("no cuda library");
    }

    @Test
    void unknownVariantIsRejected() {
        assertThatThrownBy(() -> VariantChoice.choose("metal", true, true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metal");
    }

    @Test
    void missingCpuFlagsAreReportedOnlyForX86() {
        assertThat(HostProbe.missingCpuFlags("x86_64", Set.of("avx", "avx2", "fma", "f16c", "bmi2", "sse4_2"))).isEmpty();
        assertThat(HostProbe.missingCpuFlags("x86_64", Set.of("avx", "sse4_2"))).containsExactly("avx2", "fma", "f16c", "bmi2");
        assertThat(HostProbe.missingCpuFlags("aarch64", Set.of())).isEmpty();
        assertThat(HostProbe.missingCpuFlags("x86_64", Set.of())).as("unknown flags: let it load").isEmpty();
    }
}
