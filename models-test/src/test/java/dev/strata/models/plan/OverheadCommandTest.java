package dev.strata.models.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.strata.models.StrataCli;
import dev.strata.models.TestModels;
import org.junit.jupiter.api.Test;

/** {@code strata overhead} where there is nothing to measure: a clear message and exit code 2, no crash. */
class OverheadCommandTest {

    @Test
    void withoutAGpuThereIsNothingToMeasure() throws Exception {
        assumeFalse(TestModels.gpuPresent(), "this machine has a GPU");
        StrataCli.Outcome o = StrataCli.run("overhead", "--model", TestModels.path("stories260K.gguf").toString());
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.stderr()).contains("no CUDA device on this machine: nothing to measure");
    }

    @Test
    void helpSaysWhatItKeepsAndWhere() throws Exception {
        StrataCli.Outcome o = StrataCli.run("overhead", "--help");
        assertThat(o.exit()).isZero();
        assertThat(o.stdout()).contains("strata plan").contains("--model").contains("--file");
    }
}
