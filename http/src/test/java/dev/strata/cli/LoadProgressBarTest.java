package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.runtime.LoadProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Off a terminal (as under Maven), load progress is log lines at 25% steps, and nothing on the stream. */
class LoadProgressBarTest {

    @Test
    void offATerminalProgressIsLogLinesAtQuarterSteps() {
        Logger logger = Logger.getLogger(LoadProgressBar.class.getName());
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addHandler(capture);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (LoadProgress p = LoadProgressBar.start("stories260K.gguf", new PrintStream(stream, true, StandardCharsets.UTF_8))) {
            for (float f = 0; f <= 1.0001f; f += 0.01f) {
                assertThat(p.onProgress(Math.min(f, 1f))).isTrue();
            }
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(before);
        }
        assertThat(System.console()).as("the test runs off a terminal").isNull();
        assertThat(stream.size()).isZero();
        assertThat(lines).containsSubsequence("loading stories260K.gguf", "loading stories260K.gguf: 25%",
                "loading stories260K.gguf: 50%", "loading stories260K.gguf: 75%", "loading stories260K.gguf: 100%");
        assertThat(lines.get(lines.size() - 1)).startsWith("read stories260K.gguf in ");
        assertThat(lines).hasSize(6);
    }

    @Test
    void percentIsClamped() {
        assertThat(LoadProgressBar.percent(-0.5f)).isZero();
        assertThat(LoadProgressBar.percent(0.505f)).isEqualTo(51);
        assertThat(LoadProgressBar.percent(1.7f)).isEqualTo(100);
    }
}
