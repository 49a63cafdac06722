package dev.strata.models.gpu;

import dev.strata.llama.ContextParams;
import dev.strata.llama.FlashAttention;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Pooling;
import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
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
import java.util.Locale;

/**
 * Prints llama.cpp's compute buffers per buffer type for the zoo on a GPU (dry runs: all layers,
 * half of them, none on the GPU), beside the CPU figure Strata replays: the data behind the CUDA
 * section of docs/memory-estimates.md. A measurement tool, not a check; run by models-test/gpu/run-gpu.sh.
 *
 * <pre>{@code
 * java -cp ... dev.strata.models.gpu.CudaComputeBuffers /tmp/work
 * }</pre>
 */
public final class CudaComputeBuffers {
    private CudaComputeBuffers() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/cuda-compute"));
        LlamaVocabs vocabs = LlamaVocabs.locate();
        GpuRequirement.orExit(LlamaBackend.get().devices(), 1, LlamaBackend.get().variant().id());
        for (ModelSpec spec : Zoo.all()) {
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            boolean encoder = spec.architecture().equals("bert");
            int n = spec.blockCount();
            for (int ngl : new int[] {999, n / 2 + 1, 0}) {
                try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                        ModelParams.defaults().withNoAlloc(true).withMmap(false, false).withGpuLayers(ngl), null)) {
                    for (int ctx : encoder ? new int[] {512} : new int[] {512, 4096, 32768}) {
                        for (boolean flash : new boolean[] {false, true}) {
                            print(spec, shape, model, ngl, ctx, flash, encoder);
                        }
                    }
                }
            }
            Files.delete(file);
        }
    }

    private static void print(ModelSpec spec, ModelShape shape, LlamaModel model, int ngl, int ctx, boolean flash,
                              boolean encoder) {
        ContextParams cp = ContextParams.defaults().withContextSize(ctx).withBatch(2048, 512)
                .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED).withKvUnified(false);
        if (encoder) {
            cp = cp.withEmbeddings(true, Pooling.UNSPECIFIED);
        }
        StringBuilder line = new StringBuilder();
        try (LlamaContext c = LlamaContext.create(model, cp)) {
            for (MemoryBreakdown.Buffer b : c.memoryBreakdown().buffers()) {
                if (b.computeBytes() > 0) {
                    line.append(' ').append(b.bufferType()).append('=').append(b.computeBytes());
                }
            }
        } catch (RuntimeException e) {
            line.append(" failed: ").append(e.getMessage());
        }
        KvCacheParams params = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                .withFlashAttention(flash ? dev.strata.memory.estimate.FlashAttention.ENABLED
                        : dev.strata.memory.estimate.FlashAttention.DISABLED);
        KvCacheEstimate kv = KvCacheEstimate.of(shape, LayerAssignment.cpuOnly(shape.layerCount()), params);
        long cpu = ComputeEstimate.bytes(shape, params, kv);
        System.out.printf(Locale.ROOT, "CUDAPROBE %s ngl=%d ctx=%d fa=%s strata-cpu=%d%s%n", spec.name(), ngl, ctx, flash,
                cpu, line);
    }
}
