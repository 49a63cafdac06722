package dev.strata.models.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.memory.plan.Placement;
import dev.strata.models.proof.CaseResult;
import dev.strata.models.proof.DeviceMeasure;
import dev.strata.models.proof.ProofCases;
import dev.strata.models.proof.ProofCases.Layout;
import dev.strata.models.proof.ProofCases.SpeedCase;
import dev.strata.models.proof.ProofPlanner;
import dev.strata.models.synth.DataMode;
import dev.strata.runtime.Engine;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Split generation speed against llama.cpp's llama-bench with the same split: the engine places a
 * Llama-3-8B Q4_0 with random weights across two GPUs under caps that leave neither room for all of
 * it, then prompt processing (512 random tokens, 1 generated) and generation (1 token, 128 generated,
 * greedy, end-of-generation ignored) are timed after warm-up, median of the repetitions; llama-bench
 * then runs on the same file with {@code -ngl 999 -sm layer -ts a/b} from the placement's tensor
 * split, the same threads, flash attention, batch and micro-batch. Pass: Strata at ≥ 0.98× llama-bench
 * on both (docs/benchmarks.md's requirement).
 *
 * <pre>{@code
 * java -cp ... dev.strata.models.gpu.ProofRun speed llama3-8b-split WORK stories260K.gguf results.jsonl TOOLS_DIR
 * }</pre>
 */
final class SplitSpeedRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final double REQUIRED = 0.98;

    private SplitSpeedRun() {}

    static CaseResult run(Path work, Path stories, Path tools) throws Exception {
        SpeedCase c = ProofCases.X2_SPEED;
        long t0 = System.nanoTime();
        System.out.println("=== speed " + c.name() + ": " + c.title());
        Path llamaBench = tools.resolve("llama-bench");
        if (!Files.isExecutable(llamaBench)) {
            throw new IllegalArgumentException("no llama-bench at " + llamaBench
                    + ": build it with native/build-native.sh --tools-output=DIR (run-gpu.sh does for STRATA_GPU_PROOF=x2)");
        }
        ProofSetup setup = ProofSetup.start(stories, c.caps().size());
        Path file = ProofSetup.write(c.model(), work, DataMode.RANDOM);
        int threads = Runtime.getRuntime().availableProcessors();
        List<String> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        DevicePeakSampler sampler = new DevicePeakSampler(setup.llama(), setup.gpus());
        Placement placement;
        List<Double> pp = new ArrayList<>();
        List<Double> tg = new ArrayList<>();
        sampler.start();
        try (Engine engine = setup.engine(setup.caps(c.caps(), 0));
             Model model = engine.load(file, LoadOptions.planned().withContextSize(c.model().context()).withSequences(1)
                     .withThreads(threads).withPrefixCache(false))) {
            placement = model.placement().orElseThrow();
            SplittableRandom random = new SplittableRandom(1);
            long w0 = System.nanoTime();
            for (int i = 0; i < 3 || System.nanoTime() - w0 < 2_000_000_000L; i++) { // the JIT compiles the loop meanwhile
                timed(model, tokens(random, 512), 1);
                timed(model, tokens(random, 1), 128);
            }
            for (int i = 0; i < c.reps(); i++) {
                pp.add(512 / timed(model, tokens(random, 512), 1));
                tg.add(128 / timed(model, tokens(random, 1), 128));
            }
        } finally {
            sampler.stop();
        }
        if (ProofPlanner.layout(placement) != Layout.SPLIT) {
            failures.add("the model was not split across both GPUs with nothing on the CPU: " + ProofPlanner.describe(placement));
        }
        String ts = placement.tensorSplit().stream().map(f -> String.format(Locale.ROOT, "%.4f", f)).collect(Collectors.joining("/"));
        List<String> command = List.of(llamaBench.toString(), "-m", file.toString(), "-p", "512", "-n", "128",
                "-t", Integer.toString(threads), "-ngl", "999", "-sm", "layer", "-ts", ts, "-fa", "auto", "-b", "512",
                "-ub", "512", "-r", Integer.toString(c.reps()), "-o", "json");
        Map<String, Double> llama = llamaBench(command, work);
        Files.deleteIfExists(file);

        notes.addAll(ProofPlanner.describe(placement));
        notes.add("llama.cpp, as run: `" + String.join(" ", command).replace(work.toString(), "WORK") + "`");
        notes.add(String.format(Locale.ROOT, "Strata: %d threads, flash attention auto, batch and micro-batch 512, prefix cache off; "
                + "%d timed runs after warm-up, median; samples pp512 %s, tg128 %s", threads, c.reps(), round(pp), round(tg)));
        notes.add("");
        notes.add("| test | llama.cpp (t/s) | Strata (t/s) | Strata / llama.cpp | required | result |");
        notes.add("|---|---:|---:|---:|---:|---|");
        Map<String, Double> strata = Map.of("pp512", OpsRun.median(pp), "tg128", OpsRun.median(tg));
        for (String test : List.of("pp512", "tg128")) {
            Double ref = llama.get(test);
            double ours = strata.get(test);
            double ratio = ref == null || ref == 0 ? Double.NaN : ours / ref;
            boolean ok = ratio >= REQUIRED;
            notes.add(String.format(Locale.ROOT, "| %s, split %s | %.2f | %.2f | %.3f | ≥ %.2f | %s |", test, ts,
                    ref == null ? Double.NaN : ref, ours, ratio, REQUIRED, ok ? "pass" : "FAIL"));
            if (!ok) {
                failures.add(String.format(Locale.ROOT, "%s: Strata %.2f t/s is %.3f× llama-bench's %.2f, below %.2f×", test,
                        ours, ratio, ref == null ? Double.NaN : ref, REQUIRED));
            }
        }
        List<DeviceMeasure> devices = new ArrayList<>();
        for (int i = 0; i < setup.gpus().size(); i++) {
            String gpu = setup.gpus().get(i);
            devices.add(new DeviceMeasure(gpu, ProofPlanner.layers(placement.gpus().get(i)), -1, sampler.peakUsed(gpu),
                    c.caps().get(i), ""));
        }
        return new CaseResult("speed", c.name(), c.title(), (System.nanoTime() - t0) / 1e9, devices, notes, failures);
    }

    private static int[] tokens(SplittableRandom random, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1000 + random.nextInt(30000);
        }
        return t;
    }

    /** Seconds from submit to result. */
    private static double timed(Model model, int[] prompt, int generate) {
        long s = System.nanoTime();
        GenerationResult r = model.submit(GenerationRequest.ofTokens(prompt).withMaxTokens(generate).withIgnoreEos(true))
                .result().join();
        double seconds = (System.nanoTime() - s) / 1e9;
        if (r.generatedTokens() != generate) {
            throw new IllegalStateException("generated " + r.generatedTokens() + " of " + generate + ": " + r.finishReason()
                    + r.errorMessage().map(e -> " " + e).orElse(""));
        }
        return seconds;
    }

    /** llama-bench's median tokens/s per test ("pp512", "tg128"). */
    private static Map<String, Double> llamaBench(List<String> command, Path work) throws IOException, InterruptedException {
        Path out = work.resolve("llama-bench.json");
        Path err = work.resolve("llama-bench.err");
        System.out.println("$ " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int rc = p.waitFor();
        if (rc != 0) {
            List<String> lines = Files.readAllLines(err);
            throw new IOException("llama-bench exited " + rc + ":\n  " + String.join("\n  ",
                    lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        }
        Map<String, Double> results = new LinkedHashMap<>();
        for (JsonNode test : JSON.readTree(out.toFile())) {
            int promptTokens = test.path("n_prompt").asInt();
            int gen = test.path("n_gen").asInt();
            List<Double> samples = new ArrayList<>();
            test.path("samples_ts").forEach(v -> samples.add(v.asDouble()));
            results.put(gen == 0 ? "pp" + promptTokens : "tg" + gen, OpsRun.median(samples));
        }
        System.out.println("llama-bench: " + results);
        return results;
    }

    private static List<String> round(List<Double> v) {
        return v.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList();
    }
}
