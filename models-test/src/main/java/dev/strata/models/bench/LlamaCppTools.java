package dev.strata.models.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs llama.cpp's own benchmarks, llama-bench and llama-batched-bench (built from the same build tree
 * as libstrata by models-test/bench/build-llama-tools.sh), and reads their machine-readable output.
 * Each tool's stdout and stderr are kept in {@code logDir} beside the report.
 */
final class LlamaCppTools {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path toolsDir;
    private final Path logDir;
    private int runs;
    private final Map<Integer, List<BatchedPhases>> phases = new LinkedHashMap<>();

    /** {@code toolsDir} holds the llama-bench and llama-batched-bench executables. */
    LlamaCppTools(Path toolsDir, Path logDir) {
        this.toolsDir = toolsDir;
        this.logDir = logDir;
    }

    /** llama-bench's tokens/s: the median of its samples and the mean it prints, per test. */
    record BenchResult(String test, double median, double mean, List<Double> samples) {
        /** The runs of several rounds as one result. */
        static BenchResult of(List<BenchResult> rounds) {
            List<Double> all = rounds.stream().flatMap(r -> r.samples().stream()).toList();
            return new BenchResult(rounds.get(0).test(), LlamaCppTools.median(all),
                    all.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), all);
        }
    }

    /**
     * One llama-batched-bench run's two phases.
     *
     * @param promptMillis every stream's prompt ({@code t_pp})
     * @param stepMillis   one generation step of one token per stream ({@code t_tg / ntg})
     */
    record BatchedPhases(double promptMillis, double stepMillis) {}

    /** Every timed llama-batched-bench run so far, per stream count, in run order. */
    Map<Integer, List<BatchedPhases>> batchedPhases() {
        return phases;
    }

    /** The command line {@link #llamaBench} runs. */
    List<String> llamaBenchCommand(BenchSettings s) {
        return List.of(toolsDir.resolve("llama-bench").toString(), "-m", s.model().toString(),
                "-p", Integer.toString(s.promptTokens()), "-n", Integer.toString(s.genTokens()),
                "-t", Integer.toString(s.threads()), "-ngl", s.llamaGpuLayers(), "-fa", s.flashAttention(),
                "-b", Integer.toString(s.batch()), "-ub", Integer.toString(s.microBatch()),
                "-r", Integer.toString(s.reps()), "-o", "json");
    }

    /**
     * Runs llama-bench: pp{@code promptTokens} and tg{@code genTokens}, each warmed up once, then timed
     * {@code reps} times. Keys of the result: "pp512", "tg128".
     */
    Map<String, BenchResult> llamaBench(BenchSettings s) throws IOException, InterruptedException {
        String out = run("llama-bench", llamaBenchCommand(s));
        Map<String, BenchResult> results = new LinkedHashMap<>();
        for (JsonNode test : JSON.readTree(out)) {
            int pp = test.path("n_prompt").asInt();
            int tg = test.path("n_gen").asInt();
            String name = pp > 0 && tg == 0 ? "pp" + pp : tg > 0 && pp == 0 ? "tg" + tg : "pp" + pp + "+tg" + tg;
            List<Double> samples = new ArrayList<>();
            test.path("samples_ts").forEach(v -> samples.add(v.asDouble()));
            results.put(name, new BenchResult(name, median(samples), test.path("avg_ts").asDouble(), samples));
        }
        return results;
    }

    /**
     * The command line {@link #batchedBench} runs. Its prompt list repeats {@code streamPrompt}
     * {@code reps + 1} times: llama-batched-bench has no repetition option, and each entry of {@code -npp}
     * is one more run of every {@code -npl} in the same process. The first run of each stream count is a
     * warm-up and is dropped: the tool's own warm-up decodes only 16 tokens, and its first full run came out
     * several times slower than the next ones (KV cache and compute buffers first touched).
     */
    List<String> batchedBenchCommand(BenchSettings s) {
        String npp = Collections.nCopies(s.reps() + 1, Integer.toString(s.streamPrompt())).stream()
                .collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>(List.of(toolsDir.resolve("llama-batched-bench").toString(),
                "-m", s.model().toString(), "-c", Integer.toString(s.streamContext()),
                "-b", Integer.toString(s.batch()), "-ub", Integer.toString(s.microBatch()),
                "-npp", npp, "-ntg", Integer.toString(s.streamGen()),
                "-npl", s.streams().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "-t", Integer.toString(s.threads()), "-tb", Integer.toString(s.threads()),
                "-ngl", s.llamaGpuLayers(), "-fa", s.flashAttention(), "--output-format", "jsonl"));
        cmd.add(s.kvUnified() ? "-kvu" : "-no-kvu");
        return cmd;
    }

    /**
     * Runs llama-batched-bench; per stream count, the median of its "speed": all prompt and generated
     * tokens of all streams over the prompt plus generation time.
     */
    Map<Integer, BenchResult> batchedBench(BenchSettings s) throws IOException, InterruptedException {
        String out = run("llama-batched-bench", batchedBenchCommand(s));
        Map<Integer, List<Double>> speeds = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                JsonNode row = JSON.readTree(line);
                int pl = row.path("pl").asInt();
                List<Double> runs = speeds.computeIfAbsent(pl, k -> new ArrayList<>());
                runs.add(row.path("speed").asDouble());
                if (runs.size() > 1) { // not the warm-up run
                    phases.computeIfAbsent(pl, k -> new ArrayList<>()).add(new BatchedPhases(
                            row.path("t_pp").asDouble() * 1e3, row.path("t_tg").asDouble() * 1e3 / row.path("tg").asInt()));
                }
            }
        }
        Map<Integer, BenchResult> results = new LinkedHashMap<>();
        speeds.forEach((pl, all) -> {
            List<Double> v = all.subList(1, all.size()); // the first run of each stream count warms up
            results.put(pl, new BenchResult(pl + " streams", median(v),
                    v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), List.copyOf(v)));
        });
        if (!results.keySet().containsAll(s.streams())) {
            throw new IOException("llama-batched-bench reported streams " + results.keySet() + ", not all of "
                    + s.streams() + " (a stream count whose context exceeds -c is skipped); see " + logDir);
        }
        return results;
    }

    /** Runs one tool to completion; returns its stdout, keeping stdout and stderr under {@code logDir}. */
    private String run(String name, List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        int n = ++runs; // one log pair per run: the rounds of a benchmark each keep theirs
        Path stdout = logDir.resolve(name + "-" + n + ".out");
        Path stderr = logDir.resolve(name + "-" + n + ".err");
        System.out.println("$ " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        int rc = p.waitFor();
        if (rc != 0) {
            List<String> err = Files.readAllLines(stderr);
            throw new IOException(name + " exited " + rc + "; last lines of " + stderr + ":\n  "
                    + String.join("\n  ", err.subList(Math.max(0, err.size() - 15), err.size())));
        }
        return Files.readString(stdout);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
