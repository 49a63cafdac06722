package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.ContextParams;
import dev.strata.llama.FlashAttention;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
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
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compute buffer of the contexts the runtime makes for generation: unified KV, several sequences and
 * a greedy backend sampler on each (the graph reserved for one output per sequence, ending with a padded
 * copy of the logits and one argmax over its rows that the samplers share), replayed in Java against llama.cpp's CPU dry run, to the
 * byte, for one random shape of every decoder architecture the graph model covers.
 */
class ComputeWithBackendSamplingTest {
    private static final int MICRO_BATCH = 512;

    @TempDir
    Path dir;

    @Test
    void backendSamplersAndCappedOutputsAreLlamaCppsToTheByte() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (ModelSpec spec : RandomShapes.of(new Random(7), 1)) {
            if (spec.architecture().equals("bert")) {
                continue; // an embedding context never samples
            }
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                    ModelParams.defaults().withNoAlloc(true).withMmap(false, false), null)) {
                for (int sequences : new int[] {1, 6, 32}) {
                    for (boolean sampling : new boolean[] {false, true}) {
                        for (boolean flash : new boolean[] {false, true}) {
                            long actual;
                            try (LlamaContext c = LlamaContext.create(model, ContextParams.defaults().withContextSize(4096)
                                    .withBatch(MICRO_BATCH, MICRO_BATCH).withSequences(sequences).withKvUnified(true)
                                    .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED)
                                    .withBackendSampling(sampling))) {
                                actual = c.memoryBreakdown().computeBytes();
                            }
                            KvCacheParams params = KvCacheParams.defaults().withContext(4096).withBatch(MICRO_BATCH, MICRO_BATCH)
                                    .withSequences(sequences).withUnified(true).withBackendSampling(sampling)
                                    .withFlashAttention(flash ? dev.strata.memory.estimate.FlashAttention.ENABLED
                                            : dev.strata.memory.estimate.FlashAttention.DISABLED);
                            KvCacheEstimate kv = KvCacheEstimate.of(shape, LayerAssignment.cpuOnly(shape.layerCount()), params);
                            long estimated = ComputeEstimate.bytes(shape, params, kv);
                            compared++;
                            String line = String.format(Locale.ROOT, "%s seqs %d sampling %s FA %s: estimated %d, llama.cpp %d",
                                    spec.name(), sequences, sampling, flash ? "on" : "off", estimated, actual);
                            System.out.println(line);
                            if (estimated != actual) {
                                failures.add(line);
                            }
                        }
                    }
                }
            }
            Files.delete(file);
        }
        System.out.println(compared + " cases");
        assertThat(failures).isEmpty();
    }
}
