package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.memory.device.ByteSize;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata ps}: what a running server has loaded, where, and how much memory each model holds,
 * estimated against measured, from its {@code GET /admin/models}.
 */
@Command(name = "ps", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the models a running Strata server knows: their state, where each",
                "loaded model's layers are (devices and layer ranges, the CPU's remainder),",
                "and per device the memory the planner estimated against what was measured",
                "after load; then each device's free memory, reserve and what Strata holds.",
                "",
                "Example: strata ps --url http://127.0.0.1:8080 --api-key sk-local-1",
                ""})
final class PsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-u", "--url"}, defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "The server (default: ${DEFAULT-VALUE}).")
    private URI url;

    @Option(names = {"-k", "--api-key"}, paramLabel = "KEY", defaultValue = "${env:STRATA_API_KEY}",
            description = "API key, when the server requires one (default: the STRATA_API_KEY environment variable).")
    private String apiKey;

    @Option(names = "--json", description = "Print the server's JSON as it came, for scripts.")
    private boolean json;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "How long to wait for the server (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        String body = fetch();
        if (json) {
            out.println(body);
        } else {
            print(new ObjectMapper().readTree(body), out);
        }
        out.flush();
        return 0;
    }

    private String fetch() throws IOException, InterruptedException {
        URI listing = URI.create(url.toString().replaceAll("/+$", "") + "/admin/models");
        HttpRequest.Builder request = HttpRequest.newBuilder(listing).timeout(Duration.ofSeconds(timeoutSeconds)).GET();
        if (apiKey != null && !apiKey.isBlank()) {
            // STRATA_API_KEY may list several keys for the server; any one of them will do
            request.header("Authorization", "Bearer " + apiKey.split(",", 2)[0].strip());
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalStateException("cannot reach a Strata server at " + url
                    + " (is 'strata serve' running there? --url names another)", e);
        }
        if (response.statusCode() == 401) {
            throw new IllegalStateException("the server at " + url + " refused the API key"
                    + (apiKey == null || apiKey.isBlank() ? ": it requires one; pass --api-key or set STRATA_API_KEY"
                            : ": pass one of the keys it was started with"));
        }
        if (response.statusCode() == 404) {
            throw new IllegalStateException(url + " has no /admin/models: is it a Strata server?");
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("the server at " + url + " answered " + response.statusCode() + ": "
                    + errorMessage(response.body()));
        }
        return response.body();
    }

    private static String errorMessage(String body) {
        try {
            JsonNode m = new ObjectMapper().readTree(body).path("error").path("message");
            return m.isTextual() ? m.asText() : body;
        } catch (IOException notJson) {
            return body;
        }
    }

    /** The models table, then the devices table. */
    static void print(JsonNode listing, PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MODEL", "STATE", "WHERE", "DEVICE", "ESTIMATED", "MEASURED", "REQUESTS"});
        for (JsonNode m : listing.path("models")) {
            String state = m.path("state").asText().replace('_', ' ') + (m.path("pinned").asBoolean() ? ", pinned" : "");
            String where = where(m);
            String requests = m.path("state").asText().equals("loaded") ? Integer.toString(m.path("active_requests").asInt()) : "";
            JsonNode memory = m.path("memory");
            if (memory.isEmpty()) {
                rows.add(new String[] {m.path("id").asText(), state, where, "", "", "", requests});
                continue;
            }
            boolean first = true;
            for (JsonNode d : memory) {
                rows.add(new String[] {first ? m.path("id").asText() : "", first ? state : "", first ? where : "",
                        d.path("device").asText(), bytes(d.path("estimated")), bytes(d.path("measured")),
                        first ? requests : ""});
                first = false;
            }
        }
        table(rows, out);
        if (listing.path("models").isEmpty()) {
            out.println("(no models: the server loads models on demand from its models directory)");
        }
        JsonNode devices = listing.path("devices");
        if (!devices.isEmpty()) {
            out.println();
            List<String[]> dev = new ArrayList<>();
            dev.add(new String[] {"DEVICE", "NAME", "FREE", "TOTAL", "RESERVE", "HELD BY STRATA"});
            for (JsonNode d : devices) {
                dev.add(new String[] {d.path("device").asText(), d.path("name").asText(),
                        ByteSize.format(d.path("free_bytes").asLong()), ByteSize.format(d.path("total_bytes").asLong()),
                        ByteSize.format(d.path("reserve_bytes").asLong()), ByteSize.format(d.path("held_bytes").asLong())});
            }
            table(dev, out);
        }
    }

    /** "cuda0 0-23, cpu 24-31 (planned)", "explicit, 0 GPU layers", or "-" when not loaded. */
    private static String where(JsonNode m) {
        if (!m.path("state").asText().equals("loaded")) {
            return "-";
        }
        JsonNode p = m.path("placement");
        if (p.isMissingNode() || p.isNull()) {
            return "gpu layers " + m.path("options").path("gpu_layers").asText() + " (not planned)";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode d : p.path("devices")) {
            int firstLayer = d.path("first_layer").asInt();
            int end = d.path("end_layer").asInt();
            String layers = end > firstLayer ? (end - firstLayer == 1 ? "layer " + firstLayer
                    : String.format(Locale.ROOT, "layers %d-%d", firstLayer, end - 1)) : "";
            String output = d.path("output").asBoolean() ? (layers.isEmpty() ? "output" : " +output") : "";
            parts.add(d.path("device").asText() + " " + layers + output);
        }
        return String.join(", ", parts);
    }

    private static String bytes(JsonNode parts) {
        return parts.isMissingNode() || parts.isNull() ? "-" : ByteSize.format(parts.path("weights").asLong()
                + parts.path("kv").asLong() + parts.path("compute").asLong() + parts.path("overhead").asLong());
    }

    private static void table(List<String[]> rows, PrintWriter out) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format(Locale.ROOT, "%-" + width[i] + "s  ", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
