package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code java -jar http/target/strata.jar ...} as a user would: its own JVM, the shaded jar. */
public final class StrataCli {
    /** What the process left behind. */
    public record Outcome(int exit, String stdout, String stderr) {}

    private StrataCli() {}

    public static Outcome run(String... args) throws IOException, InterruptedException {
        Path jar = Path.of("..", "http", "target", "strata.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the runnable jar is built before models-test runs").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("strata-out", ".txt");
        Path err = Files.createTempFile("strata-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("strata finished").isTrue();
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
