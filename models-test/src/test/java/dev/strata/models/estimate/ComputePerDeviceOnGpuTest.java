package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.ContextParams;
import dev.strata.llama.FlashAttention;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Pooling;
import dev.strata.llama.SplitMode;
import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.RandomShapes;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compute buffers per device on a real GPU: Strata's replay of llama.cpp's graph, scheduler and
 * allocator against llama.cpp's CUDA dry run, for the zoo and random shapes with all, half and none
 * of the layers on the GPU, flash attention off and on. Each GPU and the host buffer must match to
 * the byte, every architecture. Skipped without an NVIDIA
 * GPU (models-test/gpu/run-gpu.sh runs it; docs/memory-estimates.md has its output).
 */
class ComputePerDeviceOnGpuTest {
    @TempDir
    Path dir;

    @Test
    void computeBuffersPerDeviceAreLlamaCpps() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/nvidia0")), "no NVIDIA GPU on this machine");
        List<String> gpus = LlamaBackend.get().devices().stream().filter(BackendDevice::isGpu).map(BackendDevice::name)
                .toList();
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<ModelSpec> specs = new ArrayList<>(Zoo.all());
        specs.addAll(RandomShapes.of(new Random(11), 1));
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (ModelSpec spec : specs) {
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q4_K_M, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            boolean encoder = spec.architecture().equals("bert");
            int n = shape.layerCount();
            for (int ngl : new int[] {n + 1, n / 2 + 1, 0}) {
                List<Float> even = gpus.stream().map(g -> 1f).toList();
                try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, ModelParams.defaults().withNoAlloc(true)
                        .withMmap(false, false).withGpuLayers(ngl).withSplit(SplitMode.LAYER, 0, even), null)) {
                    for (int ctx : encoder ? new int[] {512} : new int[] {4096, 32768}) {
                        for (boolean flash : new boolean[] {false, true}) {
                            ContextParams cp = ContextParams.defaults().withContextSize(ctx).withBatch(2048, 512)
                                    .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED)
                                    .withKvUnified(false);
                            if (encoder) {
                                cp = cp.withEmbeddings(true, Pooling.UNSPECIFIED);
                            }
                            MemoryBreakdown mb;
                            try (LlamaContext c = LlamaContext.create(model, cp)) {
                                mb = c.memoryBreakdown();
                            }
                            KvCacheParams params = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                                    .withFlashAttention(flash ? dev.strata.memory.estimate.FlashAttention.ENABLED
                                            : dev.strata.memory.estimate.FlashAttention.DISABLED);
                            LayerAssignment a = LayerAssignment.llamaCpp(n, ngl, gpus, even, List.of());
                            KvCacheEstimate kv = KvCacheEstimate.of(shape, a, params);
                            Map<String, Long> estimated = ComputeEstimate.buffers(shape, params, kv, a, gpus);
                            checked += compare(String.format(Locale.ROOT, "%s ngl=%d ctx=%d FA %s", spec.name(), ngl, ctx,
                                    flash ? "on" : "off"), estimated, mb, mismatches);
                        }
                    }
                }
            }
            Files.delete(file);
        }
        System.out.println(checked + " device buffers checked, " + mismatches.size() + " differ");
        assertThat(mismatches).isEmpty();
    }

    /**
     * The runtime's generation contexts: four sequences in a unified cache, each with a greedy backend
     * sampler (whose argmax runs on the output layer's device), reserved for one output per sequence.
     */
    @Test
    void computeBuffersWithBackendSamplersAreLlamaCpps() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/nvidia0")), "no NVIDIA GPU on this machine");
        List<String> gpus = LlamaBackend.get().devices().stream().filter(BackendDevice::isGpu).map(BackendDevice::name)
                .toList();
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<ModelSpec> specs = new ArrayList<>(Zoo.all());
        specs.addAll(RandomShapes.of(new Random(11), 1));
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (ModelSpec spec : specs) {
            if (spec.architecture().equals("bert")) {
                continue; // embedding contexts never sample
            }
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q4_K_M, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            int n = shape.layerCount();
            for (int ngl : new int[] {n + 1, n / 2 + 1, 0}) {
                List<Float> even = gpus.stream().map(g -> 1f).toList();
                try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, ModelParams.defaults().withNoAlloc(true)
                        .withMmap(false, false).withGpuLayers(ngl).withSplit(SplitMode.LAYER, 0, even), null)) {
                    for (boolean flash : new boolean[] {false, true}) {
                        MemoryBreakdown mb;
                        try (LlamaContext c = LlamaContext.create(model, ContextParams.defaults().withContextSize(4096)
                                .withBatch(512, 512).withSequences(4).withKvUnified(true).withBackendSampling(true)
                                .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED))) {
                            mb = c.memoryBreakdown();
                        }
                        KvCacheParams params = KvCacheParams.defaults().withContext(4096).withBatch(512, 512).withSequences(4)
                                .withUnified(true).withBackendSampling(true)
                                .withFlashAttention(flash ? dev.strata.memory.estimate.FlashAttention.ENABLED
                                        : dev.strata.memory.estimate.FlashAttention.DISABLED);
                        LayerAssignment a = LayerAssignment.llamaCpp(n, ngl, gpus, even, List.of());
                        KvCacheEstimate kv = KvCacheEstimate.of(shape, a, params);
                        Map<String, Long> estimated = ComputeEstimate.buffers(shape, params, kv, a, gpus);
                        checked += compare(String.format(Locale.ROOT, "%s sampling ngl=%d FA %s", spec.name(), ngl,
                                flash ? "on" : "off"), estimated, mb, mismatches);
                    }
                }
            }
            Files.delete(file);
        }
        System.out.println(checked + " device buffers with backend samplers checked, " + mismatches.size() + " differ");
        assertThat(mismatches).isEmpty();
    }

    /** Prints each device's estimate against llama.cpp's, adds the ones that differ to {@code mismatches}; returns how many. */
    private static int compare(String label, Map<String, Long> estimated, MemoryBreakdown mb, List<String> mismatches) {
        for (Map.Entry<String, Long> e : estimated.entrySet()) {
            long actual = compute(mb, e.getKey());
            long est = e.getValue();
            String line = String.format(Locale.ROOT, "%s %s: estimated %,d, llama.cpp %,d (%+.2f MiB)", label, e.getKey(),
                    est, actual, (est - actual) / 1048576.0);
            System.out.println(line);
            if (est != actual) {
                mismatches.add(line);
            }
        }
        return estimated.size();
    }

    /** llama.cpp's compute bytes on {@code device}; host buffers (CPU, CUDA_Host) count as the CPU. */
    private static long compute(MemoryBreakdown mb, String device) {
        long bytes = 0;
        for (MemoryBreakdown.Buffer b : mb.buffers()) {
            boolean here = device.equals(LayerAssignment.CPU) ? b.host() : !b.host() && b.device().equals(device);
            if (here) {
                bytes += b.computeBytes();
            }
        }
        return bytes;
    }
}
