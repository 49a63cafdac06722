package dev.strata.models.explore;

import dev.strata.llama.*;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.*;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComputeProbeTest {
    @TempDir Path dir;

    @Test
    void probe() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        String only = System.getProperty("probe.only", "");
        for (ModelSpec spec : Zoo.all()) {
            if (!only.isEmpty() && !spec.name().startsWith(only)) continue;
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            boolean bert = spec.architecture().equals("bert");
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                    ModelParams.defaults().withNoAlloc(true).withMmap(false, false), null)) {
                for (int ctx : bert ? new int[] {512} : new int[] {1024, 4096, 32768}) {
                    for (int ub : new int[] {256, 512}) {
                        for (boolean flash : new boolean[] {false, true}) {
                            ContextParams cp = ContextParams.defaults().withContextSize(ctx).withBatch(2048, ub)
                                    .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED).withKvUnified(false);
                            if (bert) cp = cp.withEmbeddings(true, Pooling.UNSPECIFIED);
                            long c;
                            try (LlamaContext lc = LlamaContext.create(model, cp)) { c = lc.memoryBreakdown().computeBytes(); }
                            System.out.printf(Locale.ROOT, "PROBE %s ctx=%d ub=%d fa=%s bytes=%d perTokFloats=%.2f%n", spec.name(), ctx, ub, flash, c, c / 4.0 / ub);
                        }
                    }
                }
            }
            Files.delete(file);
        }
    }
}
