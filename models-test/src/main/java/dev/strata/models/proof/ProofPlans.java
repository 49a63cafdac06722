package dev.strata.models.proof;

import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.proof.ProofCases.AccuracyCase;
import dev.strata.models.proof.ProofCases.ModelCase;
import dev.strata.models.proof.ProofPlanner.Gpu;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.SyntheticModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The planner's side of every accuracy case, without a GPU: where each model would go on an H100 (one
 * GPU) or two H200s, with the CUDA context and runtime overhead the H100 measured, as a markdown table.
 * What the GPU run then measures is compared with a plan made there, on the device's own figures; this
 * one shows beforehand what each case exercises.
 *
 * <pre>{@code
 * java -Dstrata.llama.models.dir=LLAMA_CPP/models -cp http/target/strata.jar:models-test/target/classes \
 *     dev.strata.models.proof.ProofPlans /tmp/plans
 * }</pre>
 */
public final class ProofPlans {
    private ProofPlans() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/proof-plans"));
        LlamaVocabs vocabs = LlamaVocabs.locate();
        System.out.println("| case | model | caps | layout | per GPU: layers, predicted (CUDA context included) | CPU layers | plan ms |");
        System.out.println("|---|---|---|---|---|---:|---:|");
        List<AccuracyCase> one = Stream.concat(Stream.of(ProofCases.SEED), ProofCases.H100_ACCURACY.stream()).toList();
        List<AccuracyCase> two = Stream.concat(Stream.of(ProofCases.SEED_X2), ProofCases.X2_SPLIT.stream()).toList();
        for (AccuracyCase c : Stream.concat(one.stream(), two.stream()).toList()) {
            boolean x2 = c.caps().size() == 2;
            Gpu gpu = x2 ? Gpu.h200() : Gpu.h100();
            ModelCase m = c.model();
            Path file = dir.resolve(m.shape() + "-" + m.quant() + ".gguf");
            SyntheticModels.write(file, m.spec(), m.mix(), vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            long t0 = System.nanoTime();
            PlanResult r = ProofPlanner.plan(shape, c, gpu, c.caps().size());
            double ms = (System.nanoTime() - t0) / 1e6;
            Files.delete(file);
            String caps = String.join(" + ", c.caps().stream().map(b -> (b >> 30) + " GiB").toList())
                    + (c.reserveBytes() > 0 ? " (" + (c.reserveBytes() >> 30) + " GiB reserve each)" : "");
            if (!(r instanceof Placement p)) {
                System.out.printf(Locale.ROOT, "| %s | %s | %s | refused: %s | | | |%n", c.name(), m.describe(), caps, r);
                continue;
            }
            List<String> perGpu = new ArrayList<>();
            for (DevicePlan d : p.gpus()) {
                perGpu.add(d.device() + " " + ProofPlanner.layers(d) + ", " + Mib.of(gpu.contextBytes() + d.totalBytes()));
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %.0f |%n", c.name(), m.describe(), caps,
                    ProofPlanner.layout(p), String.join("; ", perGpu), p.cpuLayers(), ms);
        }
    }
}
