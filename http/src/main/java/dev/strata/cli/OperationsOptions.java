package dev.strata.cli;

import dev.strata.http.ServerOperations;
import dev.strata.http.admin.ModelSource;
import dev.strata.http.auth.ApiKeys;
import dev.strata.runtime.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The server's operations options, as a picocli mixin for {@code serve}: API keys and CORS origins.
 *
 * <pre>{@code
 * @Mixin OperationsOptions operations;
 * ServerOperations ops = operations.build(engine, ServerOperations.resolver(options), System.getenv());
 * }</pre>
 */
public final class OperationsOptions {

    @Option(names = "--api-key", paramLabel = "KEY",
            description = {"Require this API key (Authorization: Bearer KEY) on",
                    "every route but /health; repeatable. Keys also come from",
                    "--api-key-file and STRATA_API_KEY (comma-separated).",
                    "Without any, the server is open."})
    private List<String> apiKeys = new ArrayList<>();

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = {"A file of API keys, one per line; blank lines and",
                    "lines starting with # are skipped."})
    private Path apiKeyFile;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = {"Let browser pages from this origin (scheme://host[:port])",
                    "call the server; repeatable, or * for any origin.",
                    "CORS is off without it."})
    private List<String> corsOrigins = new ArrayList<>();

    /** The keys from all sources. @throws dev.strata.http.auth.ApiKeyException naming a bad key's source */
    public ApiKeys keys(Map<String, String> environment) {
        return ApiKeys.from(apiKeys, apiKeyFile, environment);
    }

    /** The features and observer to hand the server. */
    public ServerOperations build(Engine engine, Function<String, Optional<ModelSource>> resolver,
            Map<String, String> environment) {
        return ServerOperations.create(engine, keys(environment), corsOrigins, resolver);
    }
}
