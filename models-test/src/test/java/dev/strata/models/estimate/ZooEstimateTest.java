package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.FlashAttention;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.estimate.WeightEstimate;
import dev.strata.memory.gguf.GgufFile;
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
 * The estimator against llama.cpp's dry run over the synthesized zoo (14 real checkpoint shapes, two
 * quant mixes, two contexts, flash attention on and off): weights, KV cache and compute buffers each
 * within 1% (in practice to the byte). Prints the table that docs/memory-estimates.md reproduces.
 */
class ZooEstimateTest {
    private static final int[] CONTEXTS = {4096, 32768};

    @TempDir
    Path dir;

    @Test
    void estimatesAgreeWithLlamaCppAcrossTheZoo() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<String> failures = new ArrayList<>();
        System.out.println("| shape | quant | ctx | FA | weights diff | KV diff | compute est MiB | llama.cpp MiB | compute diff |");
        System.out.println("|---|---|---:|---|---:|---:|---:|---:|---:|");
        for (ModelSpec spec : Zoo.all()) {
            for (QuantMix mix : List.of(QuantMix.Q4_K_M, QuantMix.Q8_0)) {
                Path file = dir.resolve(spec.name() + "-" + mix.name() + ".gguf");
                SyntheticModels.write(file, spec, mix, vocabs, DataMode.SPARSE, 1);
                ModelShape shape = ModelShape.of(GgufFile.read(file));
                boolean bert = spec.architecture().equals("bert");
                try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                        ModelParams.defaults().withNoAlloc(true).withMmap(false, false), null)) {
                    for (int ctx : bert ? new int[] {512} : CONTEXTS) {
                        for (boolean flash : new boolean[] {false, true}) {
                            compare(spec, mix, shape, model, ctx, flash, bert, failures);
                        }
                    }
                }
                Files.delete(file);
            }
        }
        assertThat(failures).isEmpty();
    }

    /**
     * Sliding-window layers with {@code swa_full} off keep only the window (plus a micro-batch) per
     * stream: Gemma 2, Gemma 3 and gpt-oss, one and four sequences.
     */
    @Test
    void slidingWindowCachesMatchLlamaCppWithSwaFullOff() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<String> failures = new ArrayList<>();
        for (ModelSpec spec : List.of(Zoo.gemma2_9b(), Zoo.gemma3_27b(), Zoo.gptOss20b())) {
            Path file = dir.resolve(spec.name() + "-swa.gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                    ModelParams.defaults().withNoAlloc(true).withMmap(false, false), null)) {
                for (int ctx : CONTEXTS) {
                    for (int seqs : new int[] {1, 4}) {
                        long actual;
                        try (LlamaContext c = LlamaContext.create(model, ContextParams.defaults().withContextSize(ctx)
                                .withBatch(2048, 512).withSequences(seqs).withKvUnified(false).withSwaFull(false))) {
                            actual = c.memoryBreakdown().contextBytes();
                        }
                        KvCacheParams kvp = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                                .withSequences(seqs).withUnified(false).withSwaFull(false);
                        long estimated = KvCacheEstimate.of(shape, LayerAssignment.cpuOnly(shape.layerCount()), kvp)
                                .totalBytes();
                        System.out.printf(Locale.ROOT, "swa_full off: %s ctx %d seqs %d: estimated %d, llama.cpp %d%n",
                                spec.name(), ctx, seqs, estimated, actual);
                        if (Math.abs(diff(estimated, actual)) > 1) {
                            failures.add(spec.name() + " ctx " + ctx + " seqs " + seqs + ": " + estimated + " vs " + actual);
                        }
                    }
                }
            }
            Files.delete(file);
        }
        assertThat(failures).isEmpty();
    }

    private static void compare(ModelSpec spec, QuantMix mix, ModelShape shape, LlamaModel model, int ctx, boolean flash,
                                boolean bert, List<String> failures) {
        ContextParams cp = ContextParams.defaults().withContextSize(ctx).withBatch(2048, 512)
                .withFlashAttention(flash ? dev.strata.llama.FlashAttention.ENABLED : dev.strata.llama.FlashAttention.DISABLED)
                .withKvUnified(false);
        if (bert) {
            cp = cp.withEmbeddings(true, dev.strata.llama.Pooling.UNSPECIFIED);
        }
        MemoryBreakdown actual;
        try (LlamaContext c = LlamaContext.create(model, cp)) {
            actual = c.memoryBreakdown();
        }
        KvCacheParams kvp = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED);
        LayerAssignment cpu = LayerAssignment.cpuOnly(shape.layerCount());
        long weights = WeightEstimate.of(shape, cpu, CpuRepack.x86Avx2()).totalBytes();
        KvCacheEstimate kv = KvCacheEstimate.of(shape, cpu, kvp);
        long compute = ComputeEstimate.of(shape, cpu, kvp, kv).bytesOn(LayerAssignment.CPU);
        double dw = diff(weights, actual.modelBytes());
        double dk = diff(kv.totalBytes(), actual.contextBytes());
        double dc = diff(compute, actual.computeBytes());
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %+.2f%% | %+.2f%% | %.1f | %.1f | %+.2f%% |%n", spec.name(),
                mix.name(), ctx, flash ? "on" : "off", dw, dk, compute / 1048576.0, actual.computeBytes() / 1048576.0, dc);
        String at = spec.name() + " " + mix.name() + " ctx " + ctx + (flash ? " FA" : "");
        if (Math.abs(dw) > 1) {
            failures.add(at + ": weights " + weights + " vs " + actual.modelBytes());
        }
        if (Math.abs(dk) > 1) {
            failures.add(at + ": KV " + kv.totalBytes() + " vs " + actual.contextBytes());
        }
        if (Math.abs(dc) > 1) {
            failures.add(at + ": compute " + compute + " vs " + actual.computeBytes());
        }
    }

    private static double diff(long estimated, long actual) {
        return actual == 0 ? (estimated == 0 ? 0 : 100) : 100.0 * (estimated - actual) / actual;
    }
}
