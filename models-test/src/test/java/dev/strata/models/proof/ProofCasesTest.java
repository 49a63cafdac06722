package dev.strata.models.proof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.proof.ProofCases.AccuracyCase;
import dev.strata.models.proof.ProofCases.Layout;
import dev.strata.models.proof.ProofCases.ModelCase;
import dev.strata.models.proof.ProofCases.PressureCase;
import dev.strata.models.proof.ProofPlanner.Gpu;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.SyntheticModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU proof's case list, checked on the CPU with the planner: each case exercises the layout it
 * claims (everything on the GPU, part on the CPU, a split across two) with the H100's measured context
 * and overhead, and together the cases cover the issue's shapes and quantization mixes.
 */
class ProofCasesTest {
    private static final long GIB = 1L << 30;
    @TempDir
    static Path dir;
    private static final Map<String, ModelShape> SHAPES = new HashMap<>();
    private static LlamaVocabs vocabs;

    @BeforeAll
    static void vocabs() {
        vocabs = LlamaVocabs.locate();
    }

    private static ModelShape shape(ModelCase m) throws Exception {
        String key = m.shape() + "-" + m.quant();
        ModelShape s = SHAPES.get(key);
        if (s == null) {
            Path file = dir.resolve(key + ".gguf");
            SyntheticModels.write(file, m.spec(), m.mix(), vocabs, DataMode.SPARSE, 1);
            s = ModelShape.of(GgufFile.read(file));
            SHAPES.put(key, s);
        }
        return s;
    }

    private static Placement plan(ModelCase m, List<Long> caps, Gpu gpu, int gpus) throws Exception {
        PlanResult r = ProofPlanner.plan(shape(m), m.context(), caps, 0, gpu, gpus, 512 * GIB);
        assertThat(r).as(m.describe()).isInstanceOf(Placement.class);
        return (Placement) r;
    }

    @Test
    void eachSingleGpuCaseHasTheLayoutItClaims() throws Exception {
        for (AccuracyCase c : Stream.concat(Stream.of(ProofCases.SEED), ProofCases.H100_ACCURACY.stream()).toList()) {
            Placement p = (Placement) ProofPlanner.plan(shape(c.model()), c, Gpu.h100(), 1);
            System.out.println(c.name() + ": " + ProofPlanner.describe(p));
            assertThat(ProofPlanner.layout(p)).as(c.name() + ": " + p.reason()).isEqualTo(c.layout());
        }
    }

    @Test
    void eachTwoGpuCaseHasTheLayoutItClaims() throws Exception {
        for (AccuracyCase c : Stream.concat(Stream.of(ProofCases.SEED_X2), ProofCases.X2_SPLIT.stream()).toList()) {
            Placement p = (Placement) ProofPlanner.plan(shape(c.model()), c, Gpu.h200(), 2);
            System.out.println(c.name() + ": " + ProofPlanner.describe(p));
            assertThat(ProofPlanner.layout(p)).as(c.name() + ": " + p.reason()).isEqualTo(c.layout());
        }
    }

    @Test
    void theSeedCaseOnTwoCardsKeepsEachWithin23GiB() throws Exception {
        Placement p = (Placement) ProofPlanner.plan(shape(ProofCases.SEED_X2.model()), ProofCases.SEED_X2, Gpu.h200(), 2);
        for (DevicePlan d : p.gpus()) {
            // 24 GiB card, 1 GiB reserve, this process's CUDA context
            assertThat(d.totalBytes()).as(d.device().toString()).isLessThanOrEqualTo(23 * GIB - Gpu.h200().contextBytes());
        }
        assertThat(p.cpuLayers()).isPositive();
    }

    @Test
    void pressureModelsAreBiggerThanTheirCapAndGoPartlyToTheCpu() throws Exception {
        for (PressureCase c : ProofCases.H100_PRESSURE) {
            Placement p = plan(c.model(), List.of(c.cap()), Gpu.h100(), 1);
            long weights = p.gpus().get(0).weightBytes() + p.host().weightBytes();
            assertThat(weights).as(c.name() + " weights").isGreaterThan(c.cap());
            assertThat(ProofPlanner.layout(p)).as(c.name()).isEqualTo(Layout.PARTIAL);
            assertThat(p.gpuLayers()).as(c.name()).isPositive();
        }
    }

    @Test
    void theOpsCapHoldsAnyOneModelButNotAllThree() throws Exception {
        long sum = 0;
        for (ModelCase m : ProofCases.H100_OPS.models()) {
            Placement p = plan(m, List.of(ProofCases.H100_OPS.cap()), Gpu.h100(), 1);
            assertThat(ProofPlanner.layout(p)).as(m.describe()).isEqualTo(Layout.FULL);
            sum += p.gpus().get(0).totalBytes();
        }
        assertThat(sum).isGreaterThan(ProofCases.H100_OPS.cap() - Gpu.h100().contextBytes());
        assertThat(ProofCases.H100_OPS.count()).isGreaterThanOrEqualTo(100);
    }

    @Test
    void placementModelsFitOneGpuEachUntilTheLastWhichMustSplit() throws Exception {
        var c = ProofCases.X2_PLACEMENT;
        long capPerGpu = c.caps().get(0) - Gpu.h200().contextBytes();
        long[] totals = new long[c.models().size()];
        for (int i = 0; i < c.models().size(); i++) {
            Placement p = plan(c.models().get(i), c.caps(), Gpu.h200(), 2);
            assertThat(ProofPlanner.layout(p)).as(c.models().get(i).describe()).isEqualTo(c.expected().get(i));
            totals[i] = p.gpus().stream().mapToLong(DevicePlan::totalBytes).sum();
        }
        // the third fits beside neither of the first two: the registry must evict to keep it whole
        assertThat(totals[0] + totals[2]).isGreaterThan(capPerGpu);
        assertThat(totals[1] + totals[2]).isGreaterThan(capPerGpu);
    }

    @Test
    void theSpeedModelIsSplitAcrossBothGpus() throws Exception {
        Placement p = plan(ProofCases.X2_SPEED.model(), ProofCases.X2_SPEED.caps(), Gpu.h200(), 2);
        assertThat(ProofPlanner.layout(p)).isEqualTo(Layout.SPLIT);
    }

    @Test
    void theCasesCoverTheIssuesShapesAndMixesWithUniqueNames() {
        List<AccuracyCase> single = Stream.concat(Stream.of(ProofCases.SEED), ProofCases.H100_ACCURACY.stream()).toList();
        Set<String> shapes = single.stream().map(c -> c.model().shape()).collect(Collectors.toSet());
        assertThat(shapes).containsExactlyInAnyOrder("llama3-8b", "llama3-70b", "mistral-7b-v0.3", "mixtral-8x7b",
                "qwen2.5-7b", "qwen2.5-32b", "qwen3-30b-a3b", "gemma-2-9b", "gemma-3-27b", "phi-3-mini-4k",
                "deepseek-v2-lite", "gpt-oss-20b");
        assertThat(single.stream().map(c -> c.model().quant()).collect(Collectors.toSet()))
                .contains("Q4_0", "Q4_K_M", "Q5_K_S", "Q8_0", "F16");
        assertThat(single.stream().map(AccuracyCase::layout).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Layout.FULL, Layout.PARTIAL);
        List<String> names = ProofCases.accuracyNames();
        assertThat(names).doesNotHaveDuplicates();
        assertThat(ProofCases.X2_SPLIT.stream().map(c -> c.caps().get(0).equals(c.caps().get(1))).collect(Collectors.toSet()))
                .as("even and uneven caps").containsExactlyInAnyOrder(true, false);
        assertThat(ProofCases.X2_SPLIT.stream().map(c -> c.model().spec().expertCount() > 0).collect(Collectors.toSet()))
                .as("dense and MoE").containsExactlyInAnyOrder(true, false);
    }
}
