package dev.strata.models.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.estimate.WeightEstimate;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRefusal;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The planner on real checkpoint shapes (headers from the zoo) and fake devices: budgets are plain
 * numbers, nothing is read from this machine.
 */
class PlannerTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    private static final Map<String, ModelShape> SHAPES = new HashMap<>();
    private static final List<Path> FILES = new ArrayList<>();

    private static ModelShape shape(ModelSpec spec, QuantMix mix) throws Exception {
        String key = spec.name() + "-" + mix.name();
        if (!SHAPES.containsKey(key)) {
            Path file = Files.createTempFile(key, ".gguf");
            FILES.add(file);
            SyntheticModels.write(file, spec, mix, LlamaVocabs.locate(), DataMode.SPARSE, 1);
            SHAPES.put(key, ModelShape.of(GgufFile.read(file)));
        }
        return SHAPES.get(key);
    }

    @AfterAll
    static void deleteFiles() throws Exception {
        for (Path f : FILES) {
            Files.deleteIfExists(f);
        }
    }

    private static PlanDevice gpu(int index, long budgetBytes, long overhead) {
        return new PlanDevice(new DeviceBudget(DeviceId.cuda(index), budgetBytes + GIB, 80 * GIB, GIB, 0, 0), overhead);
    }

    private static PlanRequest request(int context) {
        return new PlanRequest(KvCacheParams.defaults().withContext(context).withBatch(512, 512), false, 256,
                CpuRepack.NONE, 64 * GIB, true);
    }

    private static Placement placed(PlanResult r) {
        assertThat(r).isInstanceOf(Placement.class);
        return (Placement) r;
    }

    @Test
    void aModelThatFitsGoesWhollyOnTheRoomiestGpu() throws Exception {
        ModelShape s = shape(Zoo.llama3_8b(), QuantMix.Q4_K_M);
        Placement p = placed(Planner.plan(s, List.of(gpu(0, 4 * GIB, 0), gpu(1, 20 * GIB, 0)), request(4096)));
        assertThat(p.gpuLayers()).isEqualTo(33);
        assertThat(p.gpus().get(0).layerCount()).isZero();
        assertThat(p.gpus().get(1).layerCount()).isEqualTo(32);
        assertThat(p.gpus().get(1).output()).isTrue();
        assertThat(p.cpuLayers()).isZero();
        assertThat(p.reason()).contains("wholly on cuda1");
    }

    @Test
    void aModelTooBigForOneGpuIsSplitAcrossGpusByRoom() throws Exception {
        ModelShape s = shape(Zoo.llama3_70b(), QuantMix.Q4_K_M); // 39.6 GiB of weights
        Placement p = placed(Planner.plan(s, List.of(gpu(0, 30 * GIB, 0), gpu(1, 20 * GIB, 0)), request(4096)));
        assertThat(p.cpuLayers()).isZero();
        assertThat(p.gpus().get(0).layerCount()).isGreaterThan(p.gpus().get(1).layerCount());
        assertThat(p.gpus()).allSatisfy(d -> assertThat(d.fits()).isTrue());
        assertThat(p.reason()).contains("split across 2 GPUs");
    }

    @Test
    void theSeedCaseOnTwo24GibCardsStaysWithin23GibEachAndPutsTheRestOnTheCpu() throws Exception {
        ModelShape s = shape(Zoo.llama3_70b(), QuantMix.Q5_K_S);
        List<PlanDevice> cards = List.of(
                new PlanDevice(new DeviceBudget(DeviceId.cuda(0), DeviceBudget.NO_CAP, 24 * GIB, GIB, 0, 0), 600 * MIB),
                new PlanDevice(new DeviceBudget(DeviceId.cuda(1), DeviceBudget.NO_CAP, 24 * GIB, GIB, 0, 0), 600 * MIB));
        Placement p = placed(Planner.plan(s, cards, request(4096)));
        assertThat(p.gpus()).allSatisfy(d -> assertThat(d.totalBytes()).isLessThanOrEqualTo(23 * GIB));
        assertThat(p.cpuLayers()).isPositive();
        assertThat(p.gpus().get(0).layerCount() + p.gpus().get(1).layerCount() + p.cpuLayers()).isEqualTo(80);
        assertThat(p.host().layerCount()).isEqualTo(p.cpuLayers());
    }

    @Test
    void whatThePlannerHandsLlamaCppReproducesItsEstimate() throws Exception {
        ModelShape s = shape(Zoo.llama3_70b(), QuantMix.Q4_K_M);
        Placement p = placed(Planner.plan(s, List.of(gpu(0, 16 * GIB, 0), gpu(1, 12 * GIB, 0)), request(8192)));
        LayerAssignment a = LayerAssignment.llamaCpp(s.layerCount(), p.gpuLayers(), List.of("CUDA0", "CUDA1"),
                p.tensorSplit(), p.overrides());
        WeightEstimate w = WeightEstimate.of(s, a, CpuRepack.NONE);
        KvCacheEstimate kv = KvCacheEstimate.of(s, a, request(8192).context());
        for (DevicePlan d : p.gpus()) {
            assertThat(w.bytesOn(d.ggmlName())).as(d.ggmlName()).isEqualTo(d.weightBytes());
            assertThat(kv.bytesOn(d.ggmlName())).as(d.ggmlName()).isEqualTo(d.kvBytes());
            assertThat(d.fits()).isTrue();
        }
        assertThat(ComputeEstimate.of(s, a, request(8192).context(), kv).bytesOn("CUDA0"))
                .isEqualTo(p.gpus().get(0).computeBytes());
    }

    @Test
    void moreBudgetNeverPlacesFewerLayers() throws Exception {
        ModelShape s = shape(Zoo.llama3_70b(), QuantMix.Q4_K_M);
        int previous = -1;
        for (long gib = 2; gib <= 48; gib += 2) {
            Placement p = placed(Planner.plan(s, List.of(gpu(0, gib * GIB, 0)), request(4096)));
            int layers = p.gpus().get(0).layerCount();
            assertThat(layers).as("%d GiB", gib).isGreaterThanOrEqualTo(previous);
            assertThat(p.gpus().get(0).fits()).isTrue();
            previous = layers;
        }
        assertThat(previous).isEqualTo(80);
    }

    @Test
    void mixtureOfExpertsKeepsLayersOnTheGpuAndMovesExpertsWhenThatKeepsMoreThere() throws Exception {
        ModelShape s = shape(Zoo.mixtral8x7b(), QuantMix.Q4_K_M); // 26.5 GiB, mostly experts
        Placement p = placed(Planner.plan(s, List.of(gpu(0, 20 * GIB, 0)), request(4096)));
        assertThat(p.overrides()).isNotEmpty();
        assertThat(p.gpuLayers()).isEqualTo(33);
        assertThat(p.gpus().get(0).layerCount()).isEqualTo(32);
        assertThat(p.reason()).contains("experts of").contains("on the CPU");
        assertThat(p.gpus().get(0).fits()).isTrue();
    }

    @Test
    void withoutAGpuEverythingRunsOnTheCpu() throws Exception {
        ModelShape s = shape(Zoo.llama3_8b(), QuantMix.Q4_K_M);
        Placement p = placed(Planner.plan(s, List.of(), request(4096)));
        assertThat(p.gpus()).isEmpty();
        assertThat(p.cpuLayers()).isEqualTo(32);
        assertThat(p.gpuLayers()).isZero();
        assertThat(p.reason()).contains("no GPU");
    }

    @Test
    void tooLittleHostMemoryIsARefusalWithTheNumbers() throws Exception {
        ModelShape s = shape(Zoo.llama3_70b(), QuantMix.Q4_K_M);
        PlanRequest tight = new PlanRequest(KvCacheParams.defaults().withContext(32768).withBatch(512, 512), false, 256,
                CpuRepack.NONE, 2 * GIB, false);
        PlanResult r = Planner.plan(s, List.of(gpu(0, 8 * GIB, 0)), tight);
        assertThat(r).isInstanceOfSatisfying(PlanRefusal.class, refusal -> {
            assertThat(refusal.reason()).contains("host RAM").contains("2 GiB").contains("context 32768");
            assertThat(refusal.closest()).isNotEmpty();
        });
    }

    @Test
    void aContextThatMayShrinkShrinksUntilTheHostCanHoldIt() throws Exception {
        ModelShape s = shape(Zoo.llama3_8b(), QuantMix.Q4_K_M);
        // 8B at 32768 tokens needs 4 GiB of KV on the CPU; give the host 3 GiB
        PlanRequest shrinking = new PlanRequest(KvCacheParams.defaults().withContext(32768).withBatch(512, 512), true,
                1024, CpuRepack.NONE, 3 * GIB, true);
        Placement p = placed(Planner.plan(s, List.of(), shrinking));
        assertThat(p.contextSize()).isLessThan(32768).isGreaterThanOrEqualTo(1024);
        assertThat(p.reason()).contains("context shrunk from 32768");
    }

    @Test
    void thePlannerIsPureSameInputSameAnswer() throws Exception {
        ModelShape s = shape(Zoo.qwen3_30b_a3b(), QuantMix.Q4_K_M);
        List<PlanDevice> devices = List.of(gpu(0, 10 * GIB, 300 * MIB), gpu(1, 6 * GIB, 300 * MIB));
        List<PlanDevice> copy = List.copyOf(devices);
        PlanResult first = Planner.plan(s, devices, request(8192));
        PlanResult second = Planner.plan(s, devices, request(8192));
        assertThat(second).isEqualTo(first);
        assertThat(devices).isEqualTo(copy);
    }
}
