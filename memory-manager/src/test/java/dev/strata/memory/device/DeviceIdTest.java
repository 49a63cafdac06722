package dev.strata.memory.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceIdTest {

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource({"cuda0, cuda0", "CUDA0, cuda0", "cuda1, cuda1", "Cuda17, cuda17", "cpu, cpu", "CPU, cpu"})
    void parsesWhatItPrints(String text, String printed) {
        DeviceId id = DeviceId.parse(text);
        assertThat(id.toString()).isEqualTo(printed);
        assertThat(DeviceId.parse(id.toString())).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cuda", "cuda-1", "cuda01", "cuda 0", "gpu0", "cuda0 ", "cpu0", "cuda1234567", "cuda:0"})
    void refusesOtherNames(String text) {
        assertThatThrownBy(() -> DeviceId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"" + text + "\" is not a device: expected cuda0, cuda1, ... or cpu");
    }

    @Test
    void cudaByOrdinalThenCpu() {
        List<DeviceId> ids = new ArrayList<>(List.of(DeviceId.CPU, DeviceId.cuda(10), DeviceId.cuda(2), DeviceId.cuda(0)));
        ids.sort(null);
        assertThat(ids).containsExactly(DeviceId.cuda(0), DeviceId.cuda(2), DeviceId.cuda(10), DeviceId.CPU);
        assertThat(DeviceId.parse("cpu")).isSameAs(DeviceId.CPU);
        assertThat(DeviceId.cuda(3).kind()).isEqualTo(DeviceKind.CUDA);
    }

    @Test
    void refusesImpossibleIds() {
        assertThatThrownBy(() -> DeviceId.cuda(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> new DeviceId(DeviceKind.CPU, 1)).hasMessageContaining("one CPU");
    }
}
