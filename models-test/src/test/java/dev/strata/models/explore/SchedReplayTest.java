package dev.strata.models.explore;

import dev.strata.memory.estimate.*;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.gpu.SchedDebug;
import dev.strata.models.synth.*;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedReplayTest {
    @TempDir Path dir;

    @Test
    void replay() throws Exception {
        Path f = dir.resolve("sd.gguf");
        SyntheticModels.write(f, SchedDebug.spec(), QuantMix.Q8_0, LlamaVocabs.locate(), DataMode.SPARSE, 1);
        ModelShape shape = ModelShape.of(GgufFile.read(f));
        int ngl = Integer.getInteger("ngl", 3);
        KvCacheParams kvp = KvCacheParams.defaults().withContext(4096).withBatch(512, 512)
                .withFlashAttention(Boolean.getBoolean("nofa") ? FlashAttention.DISABLED : FlashAttention.ENABLED);
        LayerAssignment a = LayerAssignment.llamaCpp(shape.layerCount(), ngl, List.of("CUDA0"), List.of(1f), List.of());
        KvCacheEstimate kv = KvCacheEstimate.of(shape, a, kvp);
        System.out.println("SCHED " + ComputeEstimate.buffers(shape, kvp, kv, a, List.of("CUDA0")));
    }
}
