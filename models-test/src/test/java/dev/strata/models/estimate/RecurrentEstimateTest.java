package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.FlashAttention;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.estimate.WeightEstimate;
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
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recurrent (mamba, mamba2) and hybrid (granitehybrid) memories against llama.cpp's dry run: the
 * recurrent state (one F32 r and s row per sequence and recurrent layer) plus, for the hybrid, the KV
 * cache of its attention layers, to the byte, for one and four sequences, flash attention on and off.
 * Their compute buffers have no graph model: the envelope must still give a figure, and the planner a plan.
 */
class RecurrentEstimateTest {
    private static final int[] CONTEXTS = {4096, 32768};
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void recurrentAndHybridMemoriesMatchLlamaCpp() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<String> failures = new ArrayList<>();
        for (ModelSpec spec : Zoo.recurrent()) {
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            assertThat(shape.rules().memoryEstimable()).as(spec.name()).isTrue();
            LayerAssignment cpu = LayerAssignment.cpuOnly(shape.layerCount());
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                    ModelParams.defaults().withNoAlloc(true).withMmap(false, false), null)) {
                for (int ctx : CONTEXTS) {
                    for (int seqs : new int[] {1, 4}) {
                        for (boolean flash : new boolean[] {false, true}) {
                            MemoryBreakdown actual;
                            try (LlamaContext c = LlamaContext.create(model, ContextParams.defaults()
                                    .withContextSize(ctx).withBatch(2048, 512).withSequences(seqs).withKvUnified(false)
                                    .withFlashAttention(flash ? dev.strata.llama.FlashAttention.ENABLED
                                            : dev.strata.llama.FlashAttention.DISABLED))) {
                                actual = c.memoryBreakdown();
                            }
                            KvCacheParams kvp = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                                    .withSequences(seqs).withUnified(false)
                                    .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED);
                            KvCacheEstimate kv = KvCacheEstimate.of(shape, cpu, kvp);
                            long weights = WeightEstimate.of(shape, cpu, CpuRepack.x86Avx2()).totalBytes();
                            long compute = ComputeEstimate.of(shape, cpu, kvp, kv).bytesOn(LayerAssignment.CPU);
                            System.out.printf(Locale.ROOT, "%s ctx %d seqs %d FA %s: state+KV estimated %d, llama.cpp %d;"
                                    + " weights %d vs %d; compute (envelope) %d vs %d%n", spec.name(), ctx, seqs,
                                    flash ? "on" : "off", kv.totalBytes(), actual.contextBytes(), weights,
                                    actual.modelBytes(), compute, actual.computeBytes());
                            String at = spec.name() + " ctx " + ctx + " seqs " + seqs + (flash ? " FA" : "");
                            if (kv.totalBytes() != actual.contextBytes()) {
                                failures.add(at + ": context " + kv.totalBytes() + " vs " + actual.contextBytes());
                            }
                            if (weights != actual.modelBytes()) {
                                failures.add(at + ": weights " + weights + " vs " + actual.modelBytes());
                            }
                            if (compute <= 0) {
                                failures.add(at + ": no compute envelope");
                            }
                        }
                    }
                }
            }
            Files.delete(file);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void thePlannerPlacesRecurrentAndHybridModels() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        for (ModelSpec spec : Zoo.recurrent()) {
            Path file = dir.resolve(spec.name() + "-plan.gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            PlanDevice gpu = new PlanDevice(new DeviceBudget(DeviceId.cuda(0), 8 * GIB, 80 * GIB, GIB, 0, 0), 0);
            PlanRequest request = new PlanRequest(KvCacheParams.defaults().withContext(8192).withBatch(512, 512), false,
                    256, CpuRepack.NONE, 64 * GIB, true);
            PlanResult onGpu = Planner.plan(shape, List.of(gpu), request);
            PlanResult cpuOnly = Planner.plan(shape, List.of(), request);
            System.out.println(spec.name() + ": " + onGpu + " / " + cpuOnly);
            assertThat(onGpu).as(spec.name()).isNotNull();
            assertThat(cpuOnly).as(spec.name()).isNotNull();
            Files.delete(file);
        }
    }
}
