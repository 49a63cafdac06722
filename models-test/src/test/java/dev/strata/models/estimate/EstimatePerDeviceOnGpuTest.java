package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.ContextParams;
import dev.strata.llama.KvCacheType;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SplitMode;
import dev.strata.llama.TensorOverride;
import dev.strata.memory.estimate.BufferOverride;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.estimate.WeightEstimate;
import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaQuant;
import dev.strata.models.synth.LlamaShape;
import dev.strata.models.synth.SyntheticModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-device estimates against llama.cpp's dry run on real GPUs: which layers, KV rows and padded
 * tensors land on which CUDA device for several n_gpu_layers, tensor splits and an experts-on-CPU
 * override. Skipped only where the machine has no NVIDIA GPU (models-test/gpu/run-gpu.sh runs it).
 * Host-side buffers (CPU, CUDA_Host) are compared as one "CPU" figure.
 */
class EstimatePerDeviceOnGpuTest {
    private static final int CONTEXT = 4096;

    @TempDir
    Path dir;

    private record Placement(String name, int gpuLayers, List<Float> split, List<BufferOverride> overrides) {}

    @Test
    void perDeviceWeightsAndKvMatchLlamaCpp() throws IOException {
        assumeTrue(Files.exists(Path.of("/dev/nvidia0")), "no NVIDIA GPU on this machine");
        List<String> gpus = LlamaBackend.get().devices().stream().filter(BackendDevice::isGpu).map(BackendDevice::name)
                .toList();
        assertThat(gpus).as("GPU devices llama.cpp sees").isNotEmpty();

        Path stories = model("stories260K.gguf");
        GgufFile tokenizer = GgufFile.read(stories);
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("stories260K", stories);
        models.put("stories260K-moe4x2", model("stories260K-moe4x2.gguf"));
        models.put("synth-8B-Q4_K_M", synth("8b", LlamaShape.llama3_8b(), new LlamaQuant(GgmlType.Q4_K, GgmlType.Q4_K,
                GgmlType.Q6_K)));
        models.put("synth-8B-Q4_0-tied", synth("8b-tied", LlamaShape.llama3_8b().withTiedEmbeddings(true),
                LlamaQuant.uniform(GgmlType.Q4_0)));
        // Q8_0 rows of 256 or 160 elements: CUDA pads each such tensor by one row piece
        models.put("fixture-qwen3moe", ArchFixtures.qwen3moe(dir.resolve("qwen3moe.gguf"), tokenizer));
        models.put("fixture-gemma3", ArchFixtures.gemma3(dir.resolve("gemma3.gguf"), tokenizer));
        models.put("fixture-deepseek2-mla", ArchFixtures.deepseek2(dir.resolve("deepseek2.gguf"), tokenizer));

        List<String> rows = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Path> m : models.entrySet()) {
            ModelShape shape = ModelShape.of(GgufFile.read(m.getValue()));
            int n = shape.layerCount();
            List<Float> even = gpus.stream().map(g -> 1f).toList();
            List<Placement> placements = new ArrayList<>(List.of(
                    new Placement("ngl=0", 0, even, List.of()),
                    new Placement("ngl=all", -1, even, List.of()),
                    new Placement("ngl=" + (n / 2), n / 2, even, List.of()),
                    new Placement("ngl=1 (output only)", 1, even, List.of()),
                    new Placement("ngl=all experts->CPU", -1, even, List.of(new BufferOverride("_exps", "CPU")))));
            if (gpus.size() > 1) {
                List<Float> skewed = new ArrayList<>(even);
                skewed.set(0, 3f);
                placements.add(new Placement("ngl=all split 3:1", -1, skewed, List.of()));
            }
            for (Placement p : placements) {
                LayerAssignment a = LayerAssignment.llamaCpp(n, p.gpuLayers(), gpus, p.split(), p.overrides());
                for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0}) {
                    String name = m.getKey() + " " + p.name() + " kv=" + type.ggmlName();
                    KvCacheParams kvParams = KvCacheParams.defaults().withContext(CONTEXT).withBatch(512, 512)
                            .withUnified(true).withTypes(type, type);
                    KvCacheEstimate kv;
                    try {
                        kv = KvCacheEstimate.of(shape, a, kvParams);
                    } catch (IllegalArgumentException refused) {
                        continue; // stories' 8-wide heads take no Q8_0 cache; the CPU test covers the refusal
                    }
                    WeightEstimate w = WeightEstimate.of(shape, a, CpuRepack.NONE); // a CUDA build: CUDA_Host first
                    MemoryBreakdown mb = dryRun(m.getValue(), p, type);
                    for (String device : a.devices()) {
                        long[] actual = actual(mb, device);
                        String row = String.format("%-52s %-6s weights %,15d / %,15d   kv %,13d / %,13d", name, device,
                                w.bytesOn(device), actual[0], kv.bytesOn(device), actual[1]);
                        rows.add(row);
                        if (w.bytesOn(device) != actual[0] || kv.bytesOn(device) != actual[1]) {
                            mismatches.add(row);
                        }
                    }
                }
            }
        }
        System.out.println("case / device: estimated / llama.cpp");
        rows.forEach(System.out::println);
        assertThat(mismatches).as("per-device estimates that differ from llama.cpp's dry run").isEmpty();
    }

    /** Model and KV bytes llama.cpp reports for {@code device}; host buffers count as the CPU. */
    private static long[] actual(MemoryBreakdown mb, String device) {
        long weights = 0;
        long kv = 0;
        for (MemoryBreakdown.Buffer b : mb.buffers()) {
            boolean here = device.equals(LayerAssignment.CPU) ? b.host() : !b.host() && b.device().equals(device);
            if (here) {
                weights += b.modelBytes();
                kv += b.contextBytes();
            }
        }
        return new long[] {weights, kv};
    }

    private static MemoryBreakdown dryRun(Path file, Placement p, GgmlType type) {
        List<TensorOverride> overrides = p.overrides().stream().map(o -> new TensorOverride(o.pattern(), o.device())).toList();
        ModelParams params = ModelParams.defaults().withNoAlloc(true).withMmap(false, false).withGpuLayers(p.gpuLayers())
                .withSplit(SplitMode.LAYER, 0, p.split()).withTensorOverrides(overrides);
        KvCacheType cache = KvCacheType.valueOf(type.name());
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file, params, null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(CONTEXT)
                     .withBatch(512, 512).withKvUnified(true).withCacheTypes(cache, cache))) {
            return ctx.memoryBreakdown();
        }
    }

    private Path synth(String file, LlamaShape shape, LlamaQuant quant) throws IOException {
        Path out = dir.resolve(file + ".gguf");
        SyntheticModels.writeLlama(out, shape.withVocab(512), quant, DataMode.SPARSE, 0, model("stories260K.gguf"));
        return out;
    }

    private static Path model(String file) {
        return dev.strata.models.TestModels.path(file);
    }
}
