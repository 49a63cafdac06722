package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code java -jar http/target/strata.jar run ...} as a user runs it: a separate JVM, the shaded jar. */
class RunCommandTest {

    @Test
    void runStreamsTextAndEndsWithASummaryLine() throws Exception {
        StrataCli.Outcome o = StrataCli.run("run", "--model", TestModels.stories().toString(), "--prompt", "Once upon a time",
                "--max-tokens", "24");
        assertThat(o.exit()).as(o.stderr()).isZero();
        assertThat(o.stdout()).startsWith("Once upon a time").hasSizeGreaterThan("Once upon a time".length() + 20);
        List<String> errLines = o.stderr().lines().toList();
        assertThat(errLines).hasSize(1);
        assertThat(errLines.get(0)).matches("prompt \\d+ tokens, generated 24 tokens, [0-9.]+ tokens/s .*"
                + "variant (cpu|cuda), llama\\.cpp 0\\.5\\.0");
    }

    @Test
    void seededSamplingIsRepeatableAcrossProcesses() throws Exception {
        String[] args = {"run", "-m", TestModels.stories().toString(), "-p", "Once upon a time", "-n", "20", "-t", "0.9", "-s", "5"};
        assertThat(StrataCli.run(args).stdout()).isEqualTo(StrataCli.run(args).stdout());
    }

    @Test
    void badModelFileIsAClearErrorNotACrash() throws Exception {
        Path notModel = Files.writeString(Files.createTempFile("not-a-model", ".gguf"), "hello");
        StrataCli.Outcome o = StrataCli.run("run", "--model", notModel.toString(), "--prompt", "x");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.stderr()).contains("error:").contains("not a GGUF");
    }

    @Test
    void helpDescribesEveryOption() throws Exception {
        StrataCli.Outcome o = StrataCli.run("run", "--help");
        assertThat(o.exit()).isZero();
        assertThat(o.stdout()).contains("--model", "--prompt", "--max-tokens", "--temperature", "--seed", "--gpu-layers");
    }
}
