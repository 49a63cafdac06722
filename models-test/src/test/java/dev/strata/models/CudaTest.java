package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.llama.AllocationFailedException;
import dev.strata.llama.BackendDevice;
import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.NativeVariant;
import dev.strata.llama.SamplingParams;
import dev.strata.memory.gguf.GgmlType;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaShape;
import dev.strata.models.synth.SyntheticModels;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuda variant on a real GPU (models-test/gpu/run-gpu.sh). Skipped only where the machine has
 * no NVIDIA GPU; where it has one, the loader must have picked the cuda variant by itself.
 */
class CudaTest {

    @BeforeAll
    static void requireGpu() {
        assumeTrue(TestModels.gpuPresent(), "no NVIDIA GPU on this machine");
    }

    @Test
    void loaderChoosesTheCudaVariantOnItsOwn() {
        LlamaBackend llama = LlamaBackend.get();
        System.out.println("loaded " + llama + " from " + llama.libraryPath() + ": " + llama.variantReason());
        assertThat(llama.variant()).isEqualTo(NativeVariant.CUDA);
        assertThat(llama.devices()).anySatisfy(d -> {
            assertThat(d.isGpu()).isTrue();
            assertThat(d.name()).isEqualTo("CUDA0");
            assertThat(d.freeBytes()).isPositive().isLessThanOrEqualTo(d.totalBytes());
        });
        llama.devices().forEach(d -> System.out.println("  " + d));
    }

    @Test
    void allLayersOfStoriesRunOnCuda0() {
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), TestModels.stories(),
                ModelParams.defaults().withGpuLayers(-1), null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(512))) {
            MemoryBreakdown mb = ctx.memoryBreakdown();
            mb.buffers().forEach(b -> System.out.println("  " + b));
            assertThat(mb.buffers()).anySatisfy(b -> {
                assertThat(b.device()).isEqualTo("CUDA0");
                assertThat(b.host()).isFalse();
                assertThat(b.modelBytes()).isPositive();
                assertThat(b.contextBytes()).isPositive();
                assertThat(b.computeBytes()).isPositive();
            });
            // weights on the GPU: only the token embedding stays in host memory (llama.cpp keeps it on the CPU)
            long onGpu = mb.buffers().stream().filter(b -> b.device().equals("CUDA0") && !b.host())
                    .mapToLong(MemoryBreakdown.Buffer::modelBytes).sum();
            assertThat(onGpu).isGreaterThan(mb.modelBytes() / 2);

            String text = Generation.generate(model, ctx, "Once upon a time", 48, SamplingParams.greedy());
            System.out.println("  GPU greedy: " + text);
            assertThat(text.trim().split("\\s+")).hasSizeGreaterThan(10);
            assertThat(text).containsAnyOf(" the ", " was ", " a ");
        }
    }

    @Test
    void dryRunOnTheGpuTakesNoDeviceMemory() {
        dryRunBytes(); // the first CUDA use creates the device context; measure the second dry run
        BackendDevice before = cuda0();
        long planned = dryRunBytes();
        long used = before.freeBytes() - cuda0().freeBytes();
        System.out.println("  dry run sizes CUDA0 at " + planned + " bytes; device memory taken " + used);
        assertThat(planned).isPositive();
        assertThat(used).isLessThan(planned);
    }

    private static long dryRunBytes() {
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), TestModels.miniLm(),
                ModelParams.defaults().withGpuLayers(-1).withNoAlloc(true), null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(512)
                     .withEmbeddings(true, dev.strata.llama.Pooling.UNSPECIFIED))) {
            return ctx.memoryBreakdown().bytesOn("CUDA0");
        }
    }

    @Test
    void aModelLargerThanTheGpuFailsWithAllocationFailedAndTheDeviceStaysUsable(@TempDir Path dir) throws Exception {
        // 70B-shaped, F16 weights: about 130 GiB, more than the card holds; a sparse file on disk.
        Path huge = dir.resolve("llama-70b-f16-sparse.gguf");
        SyntheticModels.writeLlama(huge, LlamaShape.llama3_70b().withVocab(512), GgmlType.F16, DataMode.SPARSE, 1,
                TestModels.stories());
        long freeBefore = cuda0().freeBytes();
        assertThatThrownBy(() -> LlamaModel.load(LlamaBackend.get(), huge, ModelParams.defaults().withGpuLayers(-1), null))
                .isInstanceOf(AllocationFailedException.class).hasMessageContaining("CUDA0");
        long leaked = freeBefore - cuda0().freeBytes();
        System.out.println("  failed 130 GiB load: device memory not returned " + leaked + " bytes");
        assertThat(leaked).isLessThan(64L << 20);
        allLayersOfStoriesRunOnCuda0();
    }

    @Test
    void dryRunOfA70bShapeSizesItWithoutTakingTheDevice(@TempDir Path dir) throws Exception {
        Path sparse = dir.resolve("llama-70b-q4_0-sparse.gguf");
        long tensorBytes = SyntheticModels.writeLlama(sparse, LlamaShape.llama3_70b().withVocab(512), GgmlType.Q4_0,
                DataMode.SPARSE, 1, TestModels.stories()).tensorBytes();
        long freeBefore = cuda0().freeBytes();
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), sparse,
                ModelParams.defaults().withGpuLayers(-1).withNoAlloc(true), null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(8192))) {
            MemoryBreakdown mb = ctx.memoryBreakdown();
            mb.buffers().forEach(b -> System.out.println("  70B dry run " + b));
            assertThat((double) mb.modelBytes()).isCloseTo(tensorBytes, org.assertj.core.api.Assertions.within(tensorBytes * 0.01));
            assertThat(mb.bytesOn("CUDA0")).isGreaterThan(30L << 30);
            assertThat(freeBefore - cuda0().freeBytes()).isLessThan(64L << 20);
        }
    }

    private static BackendDevice cuda0() {
        return LlamaBackend.get().devices().stream().filter(d -> d.name().equals("CUDA0")).findFirst().orElseThrow();
    }
}
