package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.http.ConnectionLimits;
import dev.strata.http.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** serve's command line, parsed as picocli parses it, becomes the server's options. */
class ServeOptionsTest {
    @TempDir
    Path dir;

    private ServerOptions parse(String... args) {
        ServeCommand cmd = new ServeCommand();
        String[] all = new String[args.length + 2];
        all[0] = "--models-dir";
        all[1] = dir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        new CommandLine(cmd).parseArgs(all);
        return cmd.serverOptions();
    }

    @Test
    void connectionLimitsDefaultToTheLibrarysAndCanBeSet() {
        assertThat(parse().connections()).isEqualTo(ConnectionLimits.defaults());
        assertThat(parse("--idle-timeout", "5", "--min-upload-rate", "0").connections())
                .isEqualTo(new ConnectionLimits(Duration.ofSeconds(5), 0));
    }

    @Test
    void impossibleConnectionLimitsSayWhatIsWrong() {
        assertThatThrownBy(() -> parse("--idle-timeout", "0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idle timeout must be positive");
        assertThatThrownBy(() -> parse("--min-upload-rate", "-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 0 bytes/s");
    }

    @Test
    void theOtherOptionsReachTheServer() {
        ServerOptions o = parse("--port", "0", "--queue", "7", "--max-body", "4096", "--request-timeout", "9");
        assertThat(o.port()).isZero();
        assertThat(o.queuePerModel()).isEqualTo(7);
        assertThat(o.bodyLimitBytes()).isEqualTo(4096);
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(9));
    }
}
