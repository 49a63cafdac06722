package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.memory.gguf.GgufFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama.cpp's memory breakdown, for a real load and for a dry run, against the file's own tensor sizes. */
class MemoryBreakdownTest {

    private static MemoryBreakdown breakdown(Path file, ModelParams params) {
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, params, null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(256))) {
            return ctx.memoryBreakdown();
        }
    }

    /**
     * A lone sequence's context gets the split KV layout (ContextLayout.unifiedKv) while the planner's
     * estimates were measured on unified ones: with one sequence both must take the same bytes.
     */
    @Test
    void oneSequenceTakesTheSameBytesSplitOrUnified() {
        for (Path file : new Path[] {TestModels.stories(), TestModels.storiesMoe()}) {
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, ModelParams.defaults(), null)) {
                for (boolean samplers : new boolean[] {false, true}) {
                    ContextParams p = ContextParams.defaults().withContextSize(4096).withSequences(1).withBackendSampling(samplers);
                    MemoryBreakdown split;
                    MemoryBreakdown unified;
                    try (LlamaContext c = LlamaContext.create(model, p.withKvUnified(false))) {
                        split = c.memoryBreakdown();
                    }
                    try (LlamaContext c = LlamaContext.create(model, p.withKvUnified(true))) {
                        unified = c.memoryBreakdown();
                    }
                    assertThat(split.contextBytes()).as("KV bytes of %s", file.getFileName()).isPositive()
                            .isEqualTo(unified.contextBytes());
                    assertThat(split.computeBytes()).as("compute bytes of %s, samplers %s", file.getFileName(), samplers)
                            .isEqualTo(unified.computeBytes());
                }
            }
        }
    }

    @Test
    void loadedModelBytesMatchTheTensorBytesOfTheFile() throws IOException {
        for (Path file : new Path[] {TestModels.stories(), TestModels.miniLm(), TestModels.storiesMoe()}) {
            long tensorBytes = GgufFile.read(file).tensorBytes();
            MemoryBreakdown mb = breakdown(file, ModelParams.defaults().withMmap(false, false));
            assertThat(mb.buffers()).as(file.getFileName().toString()).isNotEmpty();
            assertThat((double) mb.modelBytes()).as("model bytes of %s", file.getFileName())
                    .isCloseTo(tensorBytes, within(tensorBytes * 0.01));
            assertThat(mb.contextBytes()).as("KV cache of %s", file.getFileName()).isGreaterThanOrEqualTo(0);
            assertThat(mb.computeBytes()).as("compute buffers of %s", file.getFileName()).isPositive();
        }
    }

    @Test
    void dryRunOfASparseFileGivesTheSameSizesAsARealLoad(@TempDir Path dir) throws IOException {
        Path real = TestModels.stories();
        GgufFile gguf = GgufFile.read(real);
        Path sparse = dir.resolve("stories-sparse.gguf");
        // Header only, then a hole where the tensor data was: the data region reads as zeros and
        // occupies no disk blocks.
        try (InputStream in = Files.newInputStream(real); OutputStream out = Files.newOutputStream(sparse)) {
            out.write(in.readNBytes(Math.toIntExact(gguf.dataOffset())));
        }
        try (RandomAccessFile raf = new RandomAccessFile(sparse.toFile(), "rw")) {
            raf.setLength(Files.size(real));
        }

        MemoryBreakdown dry = breakdown(sparse, ModelParams.defaults().withNoAlloc(true).withMmap(false, false));
        MemoryBreakdown loaded = breakdown(real, ModelParams.defaults().withMmap(false, false));
        assertThat(dry.modelBytes()).isEqualTo(loaded.modelBytes());
        assertThat(dry.contextBytes()).isEqualTo(loaded.contextBytes());
        assertThat(dry.computeBytes()).isEqualTo(loaded.computeBytes());
        assertThat((double) dry.modelBytes()).isCloseTo(gguf.tensorBytes(), within(gguf.tensorBytes() * 0.01));
    }
}
