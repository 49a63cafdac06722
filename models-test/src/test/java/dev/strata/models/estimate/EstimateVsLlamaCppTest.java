package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.ContextParams;
import dev.strata.llama.KvCacheType;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaException;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.MemoryBreakdown;
import dev.strata.llama.ModelParams;
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
 * The estimators against llama.cpp's own dry run ({@code no_alloc}): weights and KV-cache bytes of
 * real and synthesized models over contexts, sequences and cache types. On this CPU-only build
 * everything lands on the CPU, so this checks totals; the split across devices is pure logic with
 * table tests of its own. Prints one table row per case to the test's output.
 */
class EstimateVsLlamaCppTest {
    private static final int VOCAB = 512; // stories260K's tokenizer, borrowed by the synthetic models
    private static final int[] CONTEXTS = {512, 4096, 32768};
    private static final GgmlType[] CACHE_TYPES = {GgmlType.F16, GgmlType.Q8_0};
    /** Sequences and whether they share one cache stream (the bridge's default) or get one each. */
    private static final List<Object[]> SEQUENCES = List.of(new Object[] {1, true}, new Object[] {4, true},
            new Object[] {4, false});

    @TempDir
    Path dir;

    private record Row(String name, long estimated, long actual, String note) {
        double diffPercent() {
            return actual == 0 ? (estimated == 0 ? 0 : 100) : 100.0 * (estimated - actual) / actual;
        }
    }

    @Test
    void weightAndKvEstimatesMatchLlamaCppDryRuns() throws IOException {
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("stories260K", model("stories260K.gguf"));
        models.put("stories260K-moe4x2", model("stories260K-moe4x2.gguf"));
        models.put("MiniLM-L6-Q8_0", model("all-MiniLM-L6-v2-Q8_0.gguf"));
        models.put("llama-2-tiny-random", model("llama-2-tiny-random.gguf"));
        LlamaQuant q4km = new LlamaQuant(GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q6_K);
        models.put("synth-8B-Q4_0", synth("8b-q4_0", LlamaShape.llama3_8b(), LlamaQuant.uniform(GgmlType.Q4_0)));
        models.put("synth-8B-Q4_K_M", synth("8b-q4_k", LlamaShape.llama3_8b(), q4km));
        models.put("synth-70B-Q4_0", synth("70b-q4_0", LlamaShape.llama3_70b(), LlamaQuant.uniform(GgmlType.Q4_0)));
        models.put("synth-70B-Q4_K_M", synth("70b-q4_k", LlamaShape.llama3_70b(), q4km));
        // A tied LM head: on a CPU that repacks Q4_0, llama.cpp keeps a second copy of token_embd.
        models.put("synth-8B-Q4_0-tied", synth("8b-q4_0-tied", LlamaShape.llama3_8b().withTiedEmbeddings(true),
                LlamaQuant.uniform(GgmlType.Q4_0)));
        // The other architectures' own rules: tied heads, SWA layers, fused QKV, rope factors, MoE, MLA, MTP.
        GgufFile tokenizer = GgufFile.read(model("stories260K.gguf"));
        models.put("fixture-qwen2", ArchFixtures.qwen2(dir.resolve("qwen2.gguf"), tokenizer));
        models.put("fixture-gemma2", ArchFixtures.gemma2(dir.resolve("gemma2.gguf"), tokenizer));
        models.put("fixture-gemma3", ArchFixtures.gemma3(dir.resolve("gemma3.gguf"), tokenizer));
        models.put("fixture-phi3", ArchFixtures.phi3(dir.resolve("phi3.gguf"), GgufFile.read(llamaVocab("phi-3"))));
        models.put("fixture-qwen3moe", ArchFixtures.qwen3moe(dir.resolve("qwen3moe.gguf"), tokenizer));
        models.put("fixture-gpt-oss", ArchFixtures.gptOss(dir.resolve("gpt-oss.gguf"), tokenizer));
        models.put("fixture-deepseek2-mla", ArchFixtures.deepseek2(dir.resolve("deepseek2.gguf"), tokenizer));

        CpuRepack repack = hostRepack();
        List<Row> weightRows = new ArrayList<>();
        List<Row> kvRows = new ArrayList<>();
        ModelParams dryRun = ModelParams.defaults().withNoAlloc(true).withMmap(false, false);
        for (Map.Entry<String, Path> m : models.entrySet()) {
            ModelShape shape = ModelShape.of(GgufFile.read(m.getValue()));
            LayerAssignment cpu = LayerAssignment.cpuOnly(shape.layerCount());
            long weights = WeightEstimate.of(shape, cpu, repack).totalBytes();
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), m.getValue(), dryRun, null)) {
                boolean weightsRecorded = false;
                for (int ctx : CONTEXTS) {
                    for (Object[] seq : SEQUENCES) {
                        for (GgmlType type : CACHE_TYPES) {
                            int sequences = (int) seq[0];
                            boolean unified = (boolean) seq[1];
                            String name = m.getKey() + " ctx=" + ctx + " seq=" + sequences + (unified ? "" : " split")
                                    + " kv=" + type.ggmlName();
                            KvCacheParams kvParams = KvCacheParams.defaults().withContext(ctx).withSequences(sequences)
                                    .withUnified(unified).withBatch(512, 512).withTypes(type, type);
                            ContextParams ctxParams = ContextParams.defaults().withContextSize(ctx).withBatch(512, 512)
                                    .withSequences(sequences).withKvUnified(unified)
                                    .withCacheTypes(cacheType(type), cacheType(type)).withThreads(1, 1);
                            Long estimated;
                            String refusal = null;
                            try {
                                estimated = KvCacheEstimate.of(shape, cpu, kvParams).totalBytes();
                            } catch (IllegalArgumentException e) {
                                estimated = null;
                                refusal = e.getMessage();
                            }
                            MemoryBreakdown mb;
                            try (LlamaContext context = LlamaContext.create(model, ctxParams)) {
                                mb = context.memoryBreakdown();
                            } catch (LlamaException e) {
                                assertThat(refusal).as("%s: llama.cpp refused (%s) but the estimator did not", name,
                                        e.getMessage()).isNotNull();
                                kvRows.add(new Row(name, -1, -1, "both refuse: " + refusal));
                                continue;
                            }
                            assertThat(refusal).as("%s: the estimator refused but llama.cpp did not", name).isNull();
                            if (!weightsRecorded) {
                                weightRows.add(new Row(m.getKey(), weights, mb.modelBytes(), buffers(mb)));
                                weightsRecorded = true;
                            }
                            kvRows.add(new Row(name, estimated, mb.contextBytes(), ""));
                        }
                    }
                }
            }
        }

        StringBuilder table = new StringBuilder();
        table.append(String.format("%n%-46s %16s %16s %9s  %s%n", "weights", "estimated", "llama.cpp", "diff %", "buffers"));
        weightRows.forEach(r -> table.append(format(r)));
        table.append(String.format("%n%-46s %16s %16s %9s%n", "KV cache", "estimated", "llama.cpp", "diff %"));
        kvRows.forEach(r -> table.append(format(r)));
        System.out.println(table);
        Files.writeString(Path.of("target", "estimate-vs-llamacpp.txt"), table.toString());

        for (Row r : weightRows) {
            assertThat(Math.abs(r.diffPercent())).as("weights of %s: estimated %d, llama.cpp %d", r.name(), r.estimated(),
                    r.actual()).isLessThanOrEqualTo(1.0);
        }
        for (Row r : kvRows) {
            assertThat(Math.abs(r.diffPercent())).as("KV of %s: estimated %d, llama.cpp %d", r.name(), r.estimated(),
                    r.actual()).isLessThanOrEqualTo(1.0);
        }
    }

    private static String format(Row r) {
        if (r.actual() < 0) {
            return String.format("%-46s %16s %16s %9s  %s%n", r.name(), "-", "-", "-", r.note());
        }
        return String.format("%-46s %,16d %,16d %9.4f  %s%n", r.name(), r.estimated(), r.actual(), r.diffPercent(), r.note());
    }

    private static String buffers(MemoryBreakdown mb) {
        StringBuilder s = new StringBuilder();
        for (MemoryBreakdown.Buffer b : mb.buffers()) {
            if (b.modelBytes() > 0) {
                s.append(s.length() == 0 ? "" : ", ").append(b.bufferType()).append('=').append(b.modelBytes());
            }
        }
        return s.toString();
    }

    private Path synth(String file, LlamaShape shape, LlamaQuant quant) throws IOException {
        Path out = dir.resolve(file + ".gguf");
        SyntheticModels.writeLlama(out, shape.withVocab(VOCAB), quant, DataMode.SPARSE, 0, model("stories260K.gguf"));
        return out;
    }

    private static KvCacheType cacheType(GgmlType type) {
        return KvCacheType.valueOf(type.name());
    }

    /** What this host's CPU backend repacks, from the CPU flags ggml checks. */
    private static CpuRepack hostRepack() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        String flags = Files.isReadable(cpuinfo) ? Files.readString(cpuinfo) : "";
        if (flags.contains(" avx512f")) {
            return CpuRepack.x86Avx512();
        }
        return flags.contains(" avx2") ? CpuRepack.x86Avx2() : CpuRepack.NONE;
    }

    /** A vocab-only GGUF from llama.cpp's source tree ({@code models/ggml-vocab-<name>.gguf}). */
    private static Path llamaVocab(String name) {
        return dev.strata.models.synth.LlamaVocabs.locate().file(name);
    }

    private static Path model(String file) {
        return dev.strata.models.TestModels.path(file);
    }
}
