package dev.strata.models.bench;

import dev.strata.llama.ContextParams;
import dev.strata.runtime.Engine;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Strata against llama.cpp's own benchmarks on one model, in one run: single-stream generation against
 * llama-bench tg128, prompt processing against pp512, aggregate throughput of 8 and 32 streams against
 * llama-batched-bench. Prints the table and writes it (markdown) to {@code --out}; exits 1 when a ratio
 * is under its threshold.
 *
 * <pre>{@code
 * models-test/bench/run-cpu-bench.sh     # builds everything, runs this on stories260K, threads 2
 * java -cp ... dev.strata.models.bench.GenerationBenchmark --model stories260K.gguf --tools /tmp/llama-tools/cpu \
 *     --out bench.md --threads 2 --gpu-layers 0 [--reps 5] [--rounds 3] [--streams 8,32] [--machine "..."] [--backend-sampling off]
 *     [--cpp-batched-loop on]
 * }</pre>
 *
 * The tools must come from the same llama.cpp build tree as the libstrata this JVM loads
 * (models-test/bench/build-llama-tools.sh); their raw output is kept in {@code <out>.logs/}.
 */
public final class GenerationBenchmark {
    static final double SINGLE_STREAM_REQUIRED = 0.98;
    static final double PROMPT_REQUIRED = 0.98;
    static final double AGGREGATE_REQUIRED = 0.95;
    static final long QUIET_MILLIS = 3000;

    private GenerationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = options(args);
        Path model = Path.of(required(a, "model"));
        Path tools = Path.of(required(a, "tools"));
        Path out = Path.of(required(a, "out")).toAbsolutePath();
        int gpuLayers = Integer.parseInt(a.getOrDefault("gpu-layers", "0"));
        boolean backendSampling = !a.getOrDefault("backend-sampling", "on").equals("off");
        // Strata's engine makes its contexts with ContextParams' batch, micro-batch and flash-attention (auto)
        // defaults and a unified KV cache (Engine.contextParams); llama.cpp's tools are told the same.
        ContextParams ctx = ContextParams.defaults();
        BenchSettings s = new BenchSettings(model, Integer.parseInt(a.getOrDefault("threads",
                Integer.toString(Runtime.getRuntime().availableProcessors()))), gpuLayers,
                ctx.flashAttention().name().toLowerCase(Locale.ROOT).replace("enabled", "on").replace("disabled", "off"),
                ctx.batchSize(), ctx.microBatch(), true, Integer.parseInt(a.getOrDefault("reps", "5")),
                128, 512, Arrays.stream(a.getOrDefault("streams", "8,32").split(",")).map(Integer::valueOf).toList(),
                128, 128);

        // Rounds alternate llama.cpp's tools and Strata on the same machine, so that a drift of the machine's
        // speed over the run (clocks, other tenants) weighs on both sides alike rather than on whichever ran last.
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be >= 1");
        }
        LlamaCppTools llama = new LlamaCppTools(tools, out.resolveSibling(out.getFileName() + ".logs"));
        StrataBench strata = new StrataBench(s, new SubmitRunner());
        Map<String, List<LlamaCppTools.BenchResult>> benchRounds = new HashMap<>();
        Map<Integer, List<LlamaCppTools.BenchResult>> batchedRounds = new HashMap<>();
        List<StrataBench.Measure> tgRounds = new ArrayList<>();
        List<StrataBench.Measure> ppRounds = new ArrayList<>();
        Map<Integer, List<StrataBench.Measure>> aggregateRounds = new HashMap<>();
        List<CppBatchedLoop.Result> cppLoop = List.of();
        try (Engine engine = Engine.create()) {
            // No prefix cache: llama.cpp's tools start every run from an empty cache, and cells kept for
            // reuse would lengthen every later run's attention (random prompts never reuse them).
            // Backend sampling (greedy tokens from the graph's argmax) is the runtime's default; off compares the scan.
            LoadOptions base = LoadOptions.defaults().withGpuLayers(gpuLayers).withThreads(s.threads())
                    .withPrefixCache(false).withBackendSampling(backendSampling);
            // one sequence, and each test's own context size, as llama-bench makes a context per test
            // (n_ctx = n_prompt + n_gen: 128 for tg128, 512 for pp512); Strata's requests need one cell
            // more (tg: a one-token prompt; pp: the token sampled after the prompt). One context of 640
            // cells for both cost tg128 about 2.5 % on the H100 against llama-bench's 128 (docs/benchmarks.md,
            // DecodeOverhead run d) and about a quarter on the CPU with stories260K.
            // Every stream's tokens and as many sequences as the most streams, as llama-batched-bench's context has.
            try (Model tgModel = engine.load(model, base.withContextSize(s.genTokens() + 1).withSequences(1));
                 Model ppModel = engine.load(model, base.withContextSize(s.promptTokens() + 1).withSequences(1));
                 Model multi = engine.load(model, base.withContextSize(s.streamContext()).withSequences(s.maxStreams()))) {
                for (int r = 1; r <= rounds; r++) {
                    System.out.println("round " + r + " of " + rounds);
                    quiet();
                    llama.llamaBench(s).forEach((k, v) -> benchRounds.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                    tgRounds.add(strata.generation(tgModel));
                    ppRounds.add(strata.promptProcessing(ppModel));
                    quiet();
                    llama.batchedBench(s).forEach((k, v) -> batchedRounds.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                    for (int n : s.streams()) {
                        aggregateRounds.computeIfAbsent(n, x -> new ArrayList<>()).add(strata.aggregate(multi, n));
                    }
                }
            }
            if (a.getOrDefault("cpp-batched-loop", "off").equals("on")) {
                quiet();
                cppLoop = CppBatchedLoop.measure(model, base.withContextSize(s.streamContext()).withSequences(s.maxStreams()), s);
            }
        }
        Map<String, LlamaCppTools.BenchResult> bench = new HashMap<>();
        benchRounds.forEach((k, v) -> bench.put(k, LlamaCppTools.BenchResult.of(v)));
        Map<Integer, LlamaCppTools.BenchResult> batched = new HashMap<>();
        batchedRounds.forEach((k, v) -> batched.put(k, LlamaCppTools.BenchResult.of(v)));
        StrataBench.Measure tg = StrataBench.Measure.of(tgRounds);
        StrataBench.Measure pp = StrataBench.Measure.of(ppRounds);
        Map<Integer, StrataBench.Measure> aggregate = new HashMap<>();
        aggregateRounds.forEach((k, v) -> aggregate.put(k, StrataBench.Measure.of(v)));

        BenchReport report = new BenchReport();
        report.header("Model: `" + model.getFileName() + "`; " + a.getOrDefault("machine", "machine not named")
                + "; " + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE) + ".");
        report.header("");
        report.header(String.format(Locale.ROOT, "Settings (both sides): threads %d, GPU layers %s, flash attention %s,"
                        + " batch %d, micro-batch %d, KV cache split for one sequence (llama-bench's default; Strata's for a lone sequence)"
                        + " and unified for the streams (llama-batched-bench -kvu %s; Strata's for several); %d rounds, each llama.cpp's tool then Strata, of %d timed runs"
                        + " after warm-up (llama.cpp's tools: one run; Strata: at least three runs and two seconds, for the JIT);"
                        + " the table gives the median of all rounds' runs. Strata's greedy tokens: %s.",
                s.threads(), gpuLayers < 0 ? "all" : Integer.toString(gpuLayers), s.flashAttention(), s.batch(),
                s.microBatch(), s.kvUnified(), rounds, s.reps(), backendSampling ? "backend sampling (argmax in the graph)"
                        : "scan of the logits row (backend sampling off)"));
        String tgName = "tg" + s.genTokens();
        String ppName = "pp" + s.promptTokens();
        report.row(new BenchReport.Row("single stream, " + tgName + " (llama-bench " + tgName + ")",
                bench.get(tgName).median(), Optional.of(tg), SINGLE_STREAM_REQUIRED));
        report.row(new BenchReport.Row("prompt processing, " + ppName + " (llama-bench " + ppName + ")",
                bench.get(ppName).median(), Optional.of(pp), PROMPT_REQUIRED));
        for (int n : s.streams()) {
            report.row(new BenchReport.Row(String.format(Locale.ROOT, "%d streams × (%d prompt + %d generated),"
                    + " aggregate (llama-batched-bench S t/s)", n, s.streamPrompt(), s.streamGen()),
                    batched.get(n).median(), Optional.of(aggregate.get(n)), AGGREGATE_REQUIRED));
        }
        report.section(generationSteps(s, llama.batchedPhases(), aggregate, cppLoop));
        report.command(String.join(" ", llama.llamaBenchCommand(s)));
        report.command(String.join(" ", llama.batchedBenchCommand(s)));
        String md = report.markdown();
        System.out.println();
        System.out.println(md);
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println("written to " + out);
        System.exit(report.allPass() ? 0 : 1);
    }

    /**
     * The aggregate tests' generation steps side by side: llama-batched-bench's (its t_tg over its steps),
     * Strata's decode loop's steps that decoded one token per stream and no prompt chunk, and, where it was
     * run, llama-batched-bench's loop in C++ on a context Strata's loader made.
     */
    private static String generationSteps(BenchSettings s, Map<Integer, List<LlamaCppTools.BatchedPhases>> phases,
                                          Map<Integer, StrataBench.Measure> aggregate, List<CppBatchedLoop.Result> cppLoop) {
        StringBuilder b = new StringBuilder("Generation steps of the aggregate tests (medians over the timed runs; Strata's:"
                + " its steps with one token per stream and no prompt chunk, which include the last steps, when fewer"
                + " streams are left):\n\n| streams | llama-batched-bench: prompt phase (ms) | llama-batched-bench:"
                + " generation step (ms) | Strata: generation-only steps per run | Strata: generation step (ms) |"
                + " Strata: graphs reused / steps | batched-bench's loop in C++ on Strata's context: prompt phase (ms),"
                + " generation step (ms), of which in llama_decode (µs), graphs reused |\n|---:|---:|---:|---:|---:|---:|---|\n");
        for (int n : s.streams()) {
            List<LlamaCppTools.BatchedPhases> p = phases.getOrDefault(n, List.of());
            var t = aggregate.get(n).steps();
            double runs = Math.max(1, aggregate.get(n).samples().size());
            String cpp = cppLoop.stream().filter(r -> r.streams() == n).findFirst()
                    .map(r -> String.format(Locale.ROOT, "%.1f, %.2f, %.0f, %d of %d", r.promptMillis(), r.stepMillis(),
                            r.decodeMicros(), r.graphsReused(), r.steps())).orElse("not run");
            b.append(String.format(Locale.ROOT, "| %d | %.1f | %.2f | %.1f | %.2f | %d / %d | %s |%n", n,
                    LlamaCppTools.median(p.stream().map(LlamaCppTools.BatchedPhases::promptMillis).toList()),
                    LlamaCppTools.median(p.stream().map(LlamaCppTools.BatchedPhases::stepMillis).toList()),
                    t.generationSteps() / runs, t.generationNanosPerStep() / 1e6, t.graphsReused(), t.steps(), cpp));
        }
        return b.toString();
    }

    /**
     * Lets this JVM settle before a llama.cpp tool runs beside it: the JIT compiles in the background after
     * loads and runs, and the CPU threadpool of a context Strata just used polls for work for a while
     * before it sleeps. On a 2-core host, llama-bench started right after the loads ran at a quarter of
     * its speed.
     */
    private static void quiet() throws InterruptedException {
        Thread.sleep(QUIET_MILLIS);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options are --name value pairs; bad: " + List.of(args));
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required (see the class Javadoc)");
        }
        return v;
    }
}
