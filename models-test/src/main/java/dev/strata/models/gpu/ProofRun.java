package dev.strata.models.gpu;

import dev.strata.models.proof.CaseResult;
import dev.strata.models.proof.ResultLog;
import java.nio.file.Path;
import java.util.List;

/**
 * One case of the GPU proof in this JVM (a fresh JVM per case: the runtime overhead is measured before
 * anything else touches CUDA), its result appended to the results file. models-test/gpu/proof.sh
 * runs the cases and {@link dev.strata.models.proof.ProofReport} renders the file.
 *
 * <pre>{@code
 * java -Dstrata.overhead.file=WORK/o.properties -Dstrata.llama.models.dir=VOCAB -cp ... \
 *     dev.strata.models.gpu.ProofRun PART CASE WORK stories260K.gguf RESULTS.jsonl [LLAMA_TOOLS_DIR]
 * }</pre>
 * PART is accuracy, seed or split (CASE from ProofCases' accuracy cases), pressure (CASE from
 * ProofCases.H100_PRESSURE), ops, placement or speed (their one case; speed needs the directory of
 * llama-bench). Exit status: 0 passed, 1 failed (an exception is a failure, recorded with its message),
 * 3 this machine lacks the GPUs the case needs, 64 bad arguments.
 */
public final class ProofRun {
    private ProofRun() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: ProofRun PART CASE WORK STORIES RESULTS.jsonl [LLAMA_TOOLS_DIR]; parts: accuracy, seed, "
                    + "split, pressure, ops, placement, speed");
            System.exit(64);
        }
        String part = args[0];
        String name = args[1];
        Path work = Path.of(args[2]);
        Path stories = Path.of(args[3]);
        ResultLog log = new ResultLog(Path.of(args[4]));
        try {
            known(part, name);
        } catch (IllegalArgumentException | java.util.NoSuchElementException bad) {
            System.err.println(bad.getMessage());
            System.exit(64);
            return;
        }
        long t0 = System.nanoTime();
        CaseResult result;
        try {
            result = switch (part) {
                case "accuracy", "seed", "split" -> AccuracyRun.run(name, work, stories);
                case "pressure" -> PressureRun.run(name, work, stories);
                case "ops" -> OpsRun.run(work, stories);
                case "placement" -> PlacementRun.run(work, stories);
                case "speed" -> SplitSpeedRun.run(work, stories, Path.of(args.length > 5 ? args[5] : "llama-tools/cuda"));
                default -> throw new IllegalStateException("unreachable: " + part + " was checked");
            };
        } catch (Exception | Error e) {
            e.printStackTrace();
            result = new CaseResult(part, name, "(failed before it could say)", (System.nanoTime() - t0) / 1e9, List.of(),
                    List.of(), List.of("the case threw " + e));
        }
        log.append(result);
        System.out.printf(java.util.Locale.ROOT, "%s %s: %s in %.1f s%n", part, name, result.passed() ? "PASSED" : "FAILED",
                result.seconds());
        result.problems().forEach(p -> System.out.println("  FAILED: " + p));
        System.exit(result.passed() ? 0 : 1);
    }

    /** Throws, naming what there is, when no case of that part has that name. */
    static void known(String part, String name) {
        switch (part) {
            case "accuracy", "seed", "split" -> dev.strata.models.proof.ProofCases.accuracy(name);
            case "pressure" -> dev.strata.models.proof.ProofCases.pressure(name);
            case "ops", "placement", "speed" -> { }
            default -> throw new IllegalArgumentException("no part " + part
                    + "; parts: accuracy, seed, split, pressure, ops, placement, speed");
        }
    }
}
