package dev.strata.models.gpu;

import dev.strata.llama.ContextParams;
import dev.strata.llama.FlashAttention;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.arch.LlamaFamily;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A dry run of a small four-layer llama shape with part of its layers on the GPU, for reading
 * ggml's scheduler log (run with GGML_SCHED_DEBUG=2 and llama.cpp's debug log on): which backend
 * each operation got and which tensors were copied. A diagnostic tool for the compute model.
 */
public final class SchedDebug {
    private SchedDebug() {}

    /** The shape the tool uses, for replaying the same graph in Java. */
    public static ModelSpec spec() {
        return LlamaFamily.spec(new LlamaFamily.Config("sched-debug", "llama-bpe", 128256, 8192, 1024, 4, 4096, 8, 2,
                5e5f, 1e-5f, 0, 0, false));
    }

    public static void main(String[] args) throws Exception {
        int ngl = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean flash = args.length <= 2 || Boolean.parseBoolean(args[2]);
        GpuRequirement.orExit(LlamaBackend.get().devices(), 1, LlamaBackend.get().variant().id());
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/sched-debug"));
        Path file = dir.resolve("sched-debug.gguf");
        SyntheticModels.write(file, spec(), QuantMix.Q8_0, LlamaVocabs.locate(), DataMode.SPARSE, 1);
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                ModelParams.defaults().withNoAlloc(true).withMmap(false, false).withGpuLayers(ngl), null);
             LlamaContext c = LlamaContext.create(model, ContextParams.defaults().withContextSize(4096).withBatch(512, 512)
                     .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED))) {
            for (MemoryBreakdown.Buffer b : c.memoryBreakdown().buffers()) {
                System.out.println("BUFFER " + b);
            }
        }
    }
}
