package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.http.ServerOperations;
import dev.strata.http.FeatureServer;
import dev.strata.http.auth.ApiKeyException;
import dev.strata.http.auth.ApiKeys;
import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** serve's operations options, parsed as picocli parses them, build a server that enforces them. */
class OperationsOptionsTest {
    @Command(name = "serve-like")
    static final class ServeLike {
        @Mixin
        OperationsOptions operations;
    }

    private static OperationsOptions parse(String... args) {
        ServeLike cmd = new ServeLike();
        new CommandLine(cmd).parseArgs(args);
        return cmd.operations;
    }

    @Test
    void keysFromEverySourceAndCorsReachTheServer(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# ops\nsk-from-file\n");
        OperationsOptions o = parse("--api-key", "sk-a", "--api-key", "sk-b", "--api-key-file", file.toString(),
                "--cors-origin", "*");
        ApiKeys keys = o.keys(Map.of(ApiKeys.ENVIRONMENT_VARIABLE, "sk-env"));
        assertThat(keys.size()).isEqualTo(4);
        try (Engine engine = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults())) {
            ServerOperations ops = o.build(engine, id -> Optional.empty(), Map.of(ApiKeys.ENVIRONMENT_VARIABLE, "sk-env"));
            assertThat(ops.observer()).isSameAs(ops.metrics());
            try (FeatureServer server = new FeatureServer(ops.features())) {
                HttpClient http = HttpClient.newHttpClient();
                for (String key : new String[] {"sk-a", "sk-b", "sk-from-file", "sk-env"}) {
                    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(server.uri("/admin/models"))
                            .header("Authorization", "Bearer " + key).header("Origin", "https://any.example.net").build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(ok.statusCode()).as(key).isEqualTo(200);
                    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
                }
                assertThat(http.send(HttpRequest.newBuilder(server.uri("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            }
        }
    }

    @Test
    void withoutOptionsTheServerIsOpenAndCorsIsOff() {
        OperationsOptions o = parse();
        assertThat(o.keys(Map.of()).isEmpty()).isTrue();
    }

    @Test
    void badValuesSayWhatToChange(@TempDir Path dir) {
        assertThatThrownBy(() -> parse("--api-key-file", dir.resolve("none").toString()).keys(Map.of()))
                .isInstanceOf(ApiKeyException.class).hasMessageContaining("cannot read the API key file");
        assertThatThrownBy(() -> dev.strata.http.cors.Cors.allowing(java.util.List.of("chat.example.com")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cors-origin 'chat.example.com'")
                .hasMessageContaining("scheme://host");
        assertThatThrownBy(() -> dev.strata.http.cors.Cors.allowing(java.util.List.of("https://a.example/path")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no path");
    }
}
