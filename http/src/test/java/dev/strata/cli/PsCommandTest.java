package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.FeatureServer;
import dev.strata.http.admin.ModelAdmin;
import dev.strata.http.auth.ApiKeyAuth;
import dev.strata.http.auth.ApiKeys;
import dev.strata.llama.LlamaBackend;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.LoadOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/** {@code strata ps} against a real server with the admin routes and an API key. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PsCommandTest {
    private static final String KEY = "sk-ps-test";
    private Engine engine;
    private FeatureServer server;

    record Outcome(int exit, String out, String err) {}

    @BeforeAll
    void start() {
        Path stories = Path.of(System.getProperty("strata.models.dir", "../../shared/models"), "stories260K.gguf");
        assertThat(stories).isRegularFile();
        engine = Engine.create(LlamaBackend.get(), new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults());
        LoadOptions small = LoadOptions.planned().withContextSize(256).withThreads(2);
        engine.registry().define("stories", stories, small);
        engine.registry().define("idle-one", stories, small);
        engine.registry().load("stories");
        server = new FeatureServer(List.of(new ApiKeyAuth(ApiKeys.of(List.of(KEY))), new ModelAdmin(engine)));
    }

    @AfterAll
    void stop() {
        server.close();
        engine.close();
    }

    private static Outcome ps(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new StrataCommand());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return 1;
        });
        String[] all = new String[args.length + 1];
        all[0] = "ps";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cli.execute(all);
        return new Outcome(exit, out.toString(), err.toString());
    }

    @Test
    void printsEachModelWithItsStatePlaceAndMemory() {
        Outcome o = ps("--url", server.url(), "--api-key", KEY);
        assertThat(o.exit()).as(o.err()).isZero();
        System.out.println(o.out()); // in the test's output file, to read
        List<String> lines = o.out().lines().toList();
        assertThat(lines.get(0)).startsWith("MODEL").contains("STATE", "WHERE", "DEVICE", "ESTIMATED", "MEASURED");
        String stories = lines.stream().filter(l -> l.startsWith("stories ")).findFirst().orElseThrow();
        assertThat(stories).contains("loaded", "cpu layers 0-", "iB");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("idle-one").contains("not loaded"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("DEVICE").contains("FREE", "RESERVE", "HELD BY STRATA"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("cpu ").contains("1 GiB"));
    }

    @Test
    void jsonIsTheServersListing() throws Exception {
        Outcome o = ps("--url", server.url() + "/", "--api-key", KEY, "--json");
        assertThat(o.exit()).as(o.err()).isZero();
        var listing = new ObjectMapper().readTree(o.out());
        assertThat(listing.path("models").findValuesAsText("id")).containsExactly("stories", "idle-one");
        assertThat(listing.path("models").get(0).path("memory").get(0).path("measured").path("weights").asLong()).isPositive();
    }

    @Test
    void aMissingOrWrongKeyIsAClearError() {
        Outcome none = ps("--url", server.url(), "--api-key", "");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("requires one", "--api-key");
        Outcome wrong = ps("--url", server.url(), "--api-key", "sk-wrong");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("refused the API key");
    }

    @Test
    void noServerIsAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        Outcome o = ps("--url", "http://127.0.0.1:" + port, "--timeout", "5");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).contains("cannot reach a Strata server", "strata serve");
    }

    @Test
    void helpSaysWhatItShowsAndHow() {
        Outcome o = ps("--help");
        assertThat(o.exit()).isZero();
        assertThat(o.out()).contains("--url", "--api-key", "--json", "STRATA_API_KEY", "estimated", "measured");
    }
}
