package dev.strata.models.bench;

import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long planning a 70B model takes in a warm JVM: the seed case (Llama-3-70B shape, Q5_K_S)
 * on one 24 GiB card (partial offload, the most evaluations) and on two. Reading the header is
 * timed apart from planning.
 *
 * <pre>{@code
 * mvn -B -q install -DskipTests
 * mvn -B -q dependency:build-classpath -pl models-test -Dmdep.outputFile=target/classpath.txt
 * cd models-test && java -cp "target/classes:$(cat target/classpath.txt)" dev.strata.models.bench.PlanBenchmark
 * }</pre>
 */
public final class PlanBenchmark {
    private PlanBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("plan-bench-70b", ".gguf");
        try {
            SyntheticModels.write(file, Zoo.llama3_70b(), QuantMix.Q5_K_S, LlamaVocabs.locate(), DataMode.SPARSE, 1);
            long gib = 1L << 30;
            PlanRequest request = new PlanRequest(KvCacheParams.defaults().withContext(4096).withBatch(512, 512), false,
                    256, CpuRepack.NONE, 64 * gib, true);
            List<PlanDevice> one = List.of(new PlanDevice(new DeviceBudget(DeviceId.cuda(0), 24 * gib, 80 * gib, 0, 0, 0), 0));
            List<PlanDevice> two = List.of(
                    new PlanDevice(new DeviceBudget(DeviceId.cuda(0), DeviceBudget.NO_CAP, 24 * gib, gib, 0, 0), 600L << 20),
                    new PlanDevice(new DeviceBudget(DeviceId.cuda(1), DeviceBudget.NO_CAP, 24 * gib, gib, 0, 0), 600L << 20));
            double[] read = time(50, () -> ModelShape.of(GgufFile.read(file)));
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            double[] planOne = time(200, () -> Planner.plan(shape, one, request));
            double[] planTwo = time(200, () -> Planner.plan(shape, two, request));
            System.out.printf(Locale.ROOT, "read header + shape (70B, %d tensors): median %.2f ms, p90 %.2f ms%n",
                    shape.tensors().size(), median(read), p90(read));
            System.out.printf(Locale.ROOT, "plan on one 24 GiB GPU:  median %.2f ms, p90 %.2f ms  (%s)%n",
                    median(planOne), p90(planOne), summary(Planner.plan(shape, one, request)));
            System.out.printf(Locale.ROOT, "plan on two 24 GiB GPUs: median %.2f ms, p90 %.2f ms  (%s)%n",
                    median(planTwo), p90(planTwo), summary(Planner.plan(shape, two, request)));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private interface Work {
        Object run() throws Exception;
    }

    /** Runs {@code n} warm-up rounds, then {@code n} timed ones; returns the timed milliseconds, sorted. */
    private static double[] time(int n, Work work) throws Exception {
        for (int i = 0; i < n; i++) {
            work.run();
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double median(double[] sorted) {
        return sorted[sorted.length / 2];
    }

    private static double p90(double[] sorted) {
        return sorted[(int) (sorted.length * 0.9)];
    }

    private static String summary(PlanResult r) {
        return r instanceof dev.strata.memory.plan.Placement p ? p.reason() : r.toString();
    }
}
