package dev.strata.models.explore;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.llama.*;
import dev.strata.llama.FlashAttention;
import dev.strata.models.synth.*;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prints llama.cpp's CUDA dry-run compute buffers per device for the zoo: data for the compute model. */
class CudaComputeProbeTest {
    @TempDir Path dir;

    @Test
    void probe() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/nvidia0")), "no NVIDIA GPU");
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<ModelSpec> specs = new ArrayList<>(Zoo.all());
        specs.addAll(ComputeVariantsTest.variants(new Random(7)).subList(0, 8));
        for (ModelSpec spec : specs) {
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            boolean bert = spec.architecture().equals("bert");
            int n = spec.blockCount();
            for (int ngl : new int[] {999, n / 2 + 1, 0}) {
                try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                        ModelParams.defaults().withNoAlloc(true).withMmap(false, false).withGpuLayers(ngl), null)) {
                    for (int ctx : bert ? new int[] {512} : new int[] {512, 4096, 32768}) {
                        for (int ub : new int[] {512}) {
                            for (boolean flash : new boolean[] {false, true}) {
                                ContextParams cp = ContextParams.defaults().withContextSize(ctx).withBatch(2048, ub)
                                        .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED).withKvUnified(false);
                                if (bert) cp = cp.withEmbeddings(true, Pooling.UNSPECIFIED);
                                StringBuilder sb = new StringBuilder();
                                try (LlamaContext lc = LlamaContext.create(model, cp)) {
                                    for (MemoryBreakdown.Buffer b : lc.memoryBreakdown().buffers()) {
                                        if (b.computeBytes() > 0) sb.append(' ').append(b.bufferType()).append('=').append(b.computeBytes());
                                    }
                                } catch (RuntimeException e) {
                                    sb.append(" FAILED ").append(e.getMessage());
                                }
                                System.out.printf(Locale.ROOT, "CUDAPROBE %s ngl=%d ctx=%d ub=%d fa=%s%s%n", spec.name(), ngl, ctx, ub, flash, sb);
                            }
                        }
                    }
                }
            }
            Files.delete(file);
        }
    }
}
