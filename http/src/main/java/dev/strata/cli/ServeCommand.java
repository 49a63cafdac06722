package dev.strata.cli;

import dev.strata.http.ConnectionLimits;
import dev.strata.http.ModelsDirectory;
import dev.strata.http.ServerOperations;
import dev.strata.http.ServerOptions;
import dev.strata.http.StrataServer;
import dev.strata.runtime.Engine;
import dev.strata.runtime.LoadOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata serve}: the OpenAI-compatible server over a directory of GGUF models.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Serve every *.gguf in a directory over an OpenAI-compatible HTTP API:",
                "POST /v1/chat/completions, /v1/completions and /v1/embeddings;",
                "GET /v1/models and /health; GET /metrics (Prometheus) and the",
                "model administration routes under /admin (see docs/server-operations.md).",
                "",
                "A model's id is its file name without .gguf (stories260K.gguf is",
                "\"stories260K\"). Aliases and per-model options (context_size,",
                "gpu_layers, sequences, threads, chat_template) come from",
                "DIR/" + ModelsDirectory.CONFIG_FILE + ". A model loads on the first request",
                "that names it; the memory planner places its layers on the GPUs and",
                "the CPU, and idle models make room for new ones.",
                "",
                "Example:",
                "  strata serve --models-dir ../shared/models --model stories260K",
                "  curl http://127.0.0.1:8080/v1/chat/completions \\",
                "    -H 'Content-Type: application/json' \\",
                "    -d '{\"model\": \"stories260K\",",
                "         \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}'",
                ""})
final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-d", "--models-dir"}, required = true, paramLabel = "DIR",
            description = "Directory of GGUF models to serve (and its optional " + ModelsDirectory.CONFIG_FILE + ").")
    private Path modelsDir;

    @Option(names = "--host", defaultValue = ServerOptions.DEFAULT_HOST, paramLabel = "HOST",
            description = "Interface to listen on; 0.0.0.0 opens the server to the network (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = {"-p", "--port"}, defaultValue = "" + ServerOptions.DEFAULT_PORT, paramLabel = "PORT",
            description = "TCP port; 0 picks a free one and prints it (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = {"-m", "--model"}, paramLabel = "ID",
            description = "Load this model at start and keep it loaded; /health answers 503 until it is ready."
                    + " Without it /health is 200 at once and every model loads on demand.")
    private String preload;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", paramLabel = "TOKENS",
            description = "Context size of models the config file does not size; 0 = the smaller of 4096 and the model's"
                    + " training context (default: ${DEFAULT-VALUE}).")
    private int context;

    @Option(names = {"-g", "--gpu-layers"}, paramLabel = "N",
            description = "Layers on the GPU for models the config file does not place: -1 = all, 0 = none;"
                    + " default: the memory planner decides.")
    private Integer gpuLayers;

    @Option(names = {"-s", "--sequences"}, defaultValue = "" + LoadOptions.DEFAULT_SEQUENCES, paramLabel = "N",
            description = "Requests decoded together per model (continuous batching); more wait (default: ${DEFAULT-VALUE}).")
    private int sequences;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "Requests per model at once, running and waiting; more get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    private int queue;

    @Option(names = "--max-body", defaultValue = "" + ServerOptions.DEFAULT_BODY_LIMIT, paramLabel = "BYTES",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    private long maxBody;

    @Option(names = "--request-timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "A generation running longer is cancelled and answered with 504 (default: ${DEFAULT-VALUE}).")
    private long requestTimeout;

    @Option(names = "--shutdown-grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "On Ctrl-C, running requests get this long to finish before they are cancelled (default: ${DEFAULT-VALUE}).")
    private long shutdownGrace;

    @Option(names = "--idle-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "A client that sends nothing mid-request, or reads nothing of a stream, for this long is"
                    + " disconnected; the model working on an answer does not count (default: ${DEFAULT-VALUE}).")
    private long idleTimeout;

    @Option(names = "--min-upload-rate", defaultValue = "1024", paramLabel = "BYTES_PER_S",
            description = "A request body arriving slower than this is refused and its connection closed;"
                    + " 0 = no minimum (default: ${DEFAULT-VALUE}).")
    private long minUploadRate;

    @Option(names = {"-v", "--verbose"}, description = "Show debug logs and llama.cpp's warnings on stderr.")
    private boolean verbose;

    @Mixin
    private OperationsOptions operations;

    @Override
    public Integer call() throws Exception {
        ConsoleLogging.configure(verbose);
        PrintWriter err = spec.commandLine().getErr();
        ServerOptions options = serverOptions();
        Engine engine = Engine.create(options.engine());
        StrataServer server;
        ServerOperations ops;
        try {
            ops = operations.build(engine, ServerOperations.resolver(options), System.getenv());
            server = new StrataServer(options.withFeatures(ops.features()).withObserver(ops.observer()), engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        // a bar per load on a terminal, INFO log lines otherwise
        engine.registry().watchLoads(LoadProgressBar.forConsole(System.err));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            engine.close();
        }, "strata-shutdown"));
        server.start();
        err.println("strata: serving " + server.models().list().size() + " models from " + server.models().path()
                + " at " + server.url() + "/v1" + (preload != null ? " (loading " + preload + ")" : "")
                + (ops.keys().isEmpty() ? "" : "; API key required") + "; /metrics, /admin/models");
        if (ops.keys().isEmpty() && !isLoopback(host)) {
            err.println("strata: warning: listening on " + host + " without an API key: anyone who can reach it can use"
                    + " and administer it; pass --api-key, --api-key-file or set STRATA_API_KEY");
        }
        err.flush();
        server.awaitStop();
        return 0;
    }

    /** The server's options as the command line gives them (picocli has filled the fields). */
    ServerOptions serverOptions() {
        LoadOptions load = LoadOptions.planned().withContextSize(context).withSequences(sequences);
        if (gpuLayers != null) {
            load = load.withGpuLayers(gpuLayers);
        }
        return ServerOptions.defaults(modelsDir).withHost(host).withPort(port).withDefaultLoad(load)
                .withPreload(preload).withQueuePerModel(queue).withBodyLimit(maxBody)
                .withRequestTimeout(Duration.ofSeconds(requestTimeout)).withShutdownGrace(Duration.ofSeconds(shutdownGrace))
                .withConnectionLimits(new ConnectionLimits(Duration.ofSeconds(idleTimeout), minUploadRate));
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
}
