package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelInfo;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Pooling;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.models.synth.arch.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo shape in several quant mixes, written sparse and dry-run in llama.cpp (no_alloc, no
 * mmap, context 4096): llama.cpp must load it as the shape says and size its weights as the file
 * declares them. Prints the sizes as a table, which is worth having for planning.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SynthZooLlamaCppTest {
    private static final int CONTEXT = 4096;
    private static final double GIB = 1024.0 * 1024 * 1024;

    private final LlamaVocabs vocabs = LlamaVocabs.locate();
    private final Map<String, GgufFile> vocabFiles = new HashMap<>();
    private final List<String> rows = new ArrayList<>();

    @TempDir
    Path dir;

    /** Each shape in the mixes people download, and in MXFP4_MOE where it has experts to put in it. */
    Stream<Arguments> shapesAndMixes() {
        return Zoo.all().stream().flatMap(spec -> {
            List<QuantMix> mixes = new ArrayList<>(List.of(QuantMix.Q4_0, QuantMix.Q4_K_M, QuantMix.Q5_K_S,
                    QuantMix.Q8_0, QuantMix.F16));
            if (spec.expertCount() > 0) {
                mixes.add(QuantMix.MXFP4_MOE);
            }
            return mixes.stream().map(mix -> Arguments.of(spec, mix));
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapesAndMixes")
    void llamaCppLoadsTheShapeAndSizesItsWeightsAsTheFileDeclares(ModelSpec spec, QuantMix mix) throws IOException {
        Path file = dir.resolve(spec.name() + "-" + mix.name() + ".gguf");
        GgufLayout layout = SyntheticModels.write(file, spec, mix, vocab(spec.vocab()), DataMode.SPARSE, 0);
        long tensorBytes = GgufFile.read(file).tensorBytes();
        assertThat(tensorBytes).isEqualTo(layout.tensorBytes());

        ModelParams params = ModelParams.defaults().withNoAlloc(true).withMmap(false, false);
        ContextParams ctxParams = spec.architecture().equals("bert")
                ? ContextParams.defaults().withContextSize(512).withEmbeddings(true, Pooling.UNSPECIFIED)
                : ContextParams.defaults().withContextSize(CONTEXT);
        ModelInfo info;
        MemoryBreakdown mb;
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, params, null);
             LlamaContext ctx = LlamaContext.create(model, ctxParams)) {
            info = model.info();
            mb = ctx.memoryBreakdown();
        } finally {
            Files.deleteIfExists(file);
        }

        assertThat(info.architecture()).isEqualTo(spec.architecture());
        assertThat(info.layerCount()).isEqualTo(spec.blockCount());
        assertThat(info.expertCount()).isEqualTo(spec.expertCount());
        assertThat(info.embeddingSize()).isEqualTo(spec.embeddingLength());
        assertThat(info.vocabularySize()).isEqualTo(spec.vocabSize());
        assertThat(info.parameterCount()).isEqualTo(spec.parameterCount());
        assertThat((double) mb.modelBytes()).as("llama.cpp's model bytes vs the file's tensor bytes")
                .isCloseTo(tensorBytes, within(tensorBytes * 0.001));

        rows.add(String.format("| %-17s | %-9s | %8.2f | %,17d | %,9d | %,15d | %,13d |", spec.name(), mix.name(),
                layout.fileSize() / GIB, mb.modelBytes(), mb.modelBytes() - tensorBytes, mb.contextBytes(),
                mb.computeBytes()));
    }

    @AfterAll
    void printTable() {
        // llama.cpp's default swa_full keeps the sliding-window layers' cache at full context size
        System.out.printf("%nllama.cpp dry run on the CPU: context %d (bert: 512, embeddings), one sequence, F16 KV cache"
                + " (sliding-window layers at full size: llama.cpp's default swa_full), ubatch 512%n", CONTEXT);
        System.out.println("| shape             | quant     | file GiB |       model bytes | - tensors |        KV bytes | compute bytes |");
        System.out.println("|-------------------|-----------|---------:|------------------:|----------:|----------------:|--------------:|");
        rows.forEach(System.out::println);
    }

    private GgufFile vocab(String name) {
        return vocabFiles.computeIfAbsent(name, n -> {
            try {
                return vocabs.read(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
