package dev.strata.cli;

import dev.strata.llama.SamplingParams;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.LoadProgress;
import dev.strata.runtime.Model;
import dev.strata.runtime.TokenStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata run}: one prompt, streamed to stdout; one summary line on stderr.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text for one prompt. The text streams to stdout; a summary line",
                "(tokens, tokens/s, native variant, llama.cpp version) goes to stderr."})
final class RunCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH", description = "GGUF model file.")
    private Path model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt.")
    private String prompt;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "128", paramLabel = "N",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    private int maxTokens;

    @Option(names = {"-t", "--temperature"}, defaultValue = "0", paramLabel = "T",
            description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    private float temperature;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", paramLabel = "S",
            description = "Seed for sampling; the same seed gives the same text (default: ${DEFAULT-VALUE}).")
    private int seed;

    @Option(names = {"-g", "--gpu-layers"}, defaultValue = "0", paramLabel = "N",
            description = "Layers on the GPU: 0 = none, -1 = all (default: ${DEFAULT-VALUE}).")
    private int gpuLayers;

    @Option(names = {"-c", "--context"}, defaultValue = "0", paramLabel = "TOKENS",
            description = "Context size in tokens; 0 = the smaller of 4096 and the model's training context.")
    private int context;

    @Option(names = {"-v", "--verbose"}, description = "Show llama.cpp's warnings and load details on stderr.")
    private boolean verbose;

    @Override
    public Integer call() {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = spec.commandLine().getErr();
        ConsoleLogging.configure(verbose);
        SamplingParams sampling = SamplingParams.defaults().withTemperature(temperature).withSeed(seed);
        try (Engine engine = Engine.create();
             Model loaded = load(engine);
             TokenStream stream = loaded.generate(new GenerationRequest(prompt, maxTokens, sampling))) {
            out.print(prompt);
            stream.forEachRemaining(token -> {
                out.print(token.text());
                out.flush();
            });
            out.println();
            GenerationResult r = stream.result();
            err.println(String.format(Locale.ROOT,
                    "prompt %d tokens, generated %d tokens, %.1f tokens/s (prompt %.1f tokens/s), finish %s, variant %s, llama.cpp %s",
                    r.promptTokens(), r.generatedTokens(), r.tokensPerSecond(), r.promptTokensPerSecond(),
                    r.finishReason().name().toLowerCase(Locale.ROOT), engine.backend().variant().id(),
                    engine.backend().llamaVersion()));
            err.flush();
        }
        return 0;
    }

    /** Loads the model with a progress bar on a terminal (log lines otherwise). */
    private Model load(Engine engine) {
        try (LoadProgress progress = LoadProgressBar.start(model.getFileName().toString(), System.err)) {
            return engine.load(model, LoadOptions.defaults().withGpuLayers(gpuLayers).withContextSize(context), progress);
        }
    }
}
