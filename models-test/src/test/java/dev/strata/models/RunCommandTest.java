package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code java -jar http/target/strata.jar run ...} as a user runs it: a separate JVM, the shaded jar. */
class RunCommandTest {

    private record Outcome(int exit, String stdout, String stderr) {}

    private static Outcome strata(String... args) throws IOException, InterruptedException {
        Path jar = Path.of("..", "http", "target", "strata.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the runnable jar is built before models-test runs").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("strata-out", ".txt");
        Path err = Files.createTempFile("strata-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("strata finished").isTrue();
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void runStreamsTextAndEndsWithASummaryLine() throws Exception {
        Outcome o = strata("run", "--model", TestModels.stories().toString(), "--prompt", "Once upon a time",
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
        assertThat(strata(args).stdout()).isEqualTo(strata(args).stdout());
    }

    @Test
    void badModelFileIsAClearErrorNotACrash() throws Exception {
        Path notModel = Files.writeString(Files.createTempFile("not-a-model", ".gguf"), "hello");
        Outcome o = strata("run", "--model", notModel.toString(), "--prompt", "x");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.stderr()).contains("error:").contains("not a GGUF");
    }

    @Test
    void helpDescribesEveryOption() throws Exception {
        Outcome o = strata("run", "--help");
        assertThat(o.exit()).isZero();
        assertThat(o.stdout()).contains("--model", "--prompt", "--max-tokens", "--temperature", "--seed", "--gpu-layers");
    }
}
