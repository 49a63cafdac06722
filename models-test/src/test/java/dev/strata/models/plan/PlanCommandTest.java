package dev.strata.models.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.models.StrataCli;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar strata.jar plan ...} as a user runs it, on the seed case's shape. */
class PlanCommandTest {
    @TempDir
    static Path dir;
    private static Path seed;

    @BeforeAll
    static void writeSeedCase() throws Exception {
        seed = dir.resolve("deepseek-r1-distill-llama-70b-q5_k_s.gguf");
        SyntheticModels.write(seed, Zoo.llama3_70b(), QuantMix.Q5_K_S, LlamaVocabs.locate(), DataMode.SPARSE, 1);
    }

    @Test
    void theSeedCaseOnTwo24GibCardsAsJson() throws Exception {
        StrataCli.Outcome o = StrataCli.run("plan", "--model", seed.toString(), "--devices", "cuda0=24GiB,cuda1=24GiB", "--ctx", "4096",
                "--overhead", "600MiB", "--json");
        assertThat(o.exit()).as(o.stderr()).isZero();
        JsonNode plan = new ObjectMapper().readTree(o.stdout());
        assertThat(plan.get("fits").asBoolean()).isTrue();
        JsonNode devices = plan.get("devices");
        assertThat(devices).hasSize(3);
        long gib = 1L << 30;
        int layers = 0;
        for (int i = 0; i < 2; i++) {
            assertThat(devices.get(i).get("device").asText()).isEqualTo("cuda" + i);
            assertThat(devices.get(i).get("totalBytes").asLong()).isLessThanOrEqualTo(23 * gib);
            assertThat(devices.get(i).get("overheadBytes").asLong()).isEqualTo(600L << 20);
            layers += devices.get(i).get("endLayer").asInt() - devices.get(i).get("firstLayer").asInt();
        }
        JsonNode cpu = devices.get(2);
        assertThat(cpu.get("device").asText()).isEqualTo("cpu");
        assertThat(cpu.get("endLayer").asInt() - cpu.get("firstLayer").asInt()).isEqualTo(80 - layers).isPositive();
        assertThat(plan.get("gpuLayers").asInt()).as("n_gpu_layers counts the output layer").isEqualTo(layers + 1);
    }

    @Test
    void theTableNamesEveryColumnAndSaysWhy() throws Exception {
        StrataCli.Outcome o = StrataCli.run("plan", "-m", seed.toString(), "--devices", "cuda0=24GiB", "--ctx", "8192");
        assertThat(o.exit()).as(o.stderr()).isZero();
        assertThat(o.stdout()).contains("weights", "KV", "compute", "overhead", "total", "budget", "cuda0", "cpu",
                "n_gpu_layers=", "why: ");
    }

    @Test
    void aBadDeviceSpecIsAClearError() throws Exception {
        StrataCli.Outcome o = StrataCli.run("plan", "-m", seed.toString(), "--devices", "cuda0=24GiB,cuda2=8GiB");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.stderr()).contains("error:").contains("cuda1");
    }
}
