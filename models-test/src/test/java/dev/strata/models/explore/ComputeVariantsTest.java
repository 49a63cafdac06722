package dev.strata.models.explore;

import dev.strata.llama.*;
import dev.strata.llama.FlashAttention;
import dev.strata.memory.estimate.*;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.*;
import dev.strata.models.synth.arch.*;
import java.nio.file.*;
import java.util.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComputeVariantsTest {
    @TempDir Path dir;

    static List<ModelSpec> variants(Random r) {
        List<ModelSpec> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int hd = r.nextBoolean() ? 64 : 128;
            int kvh = new int[] {1, 2, 4, 8}[r.nextInt(4)];
            int h = kvh * (1 + r.nextInt(8));
            int e = h * hd;
            int ff = 256 * (e / 256 + 1 + r.nextInt(4 * e / 256 + 1));
            int pad = 256 * r.nextInt(200);
            out.add(LlamaFamily.spec(new LlamaFamily.Config("llama-v" + i, "llama-bpe", 128256 + pad, 8192, e, 2, ff, h, kvh, 5e5f, 1e-5f, 0, 0, false)));
            out.add(LlamaFamily.spec(new LlamaFamily.Config("mixtral-v" + i, "llama-spm", 32000 + pad, 8192, e, 2, ff, h, kvh, 5e5f, 1e-5f, 8, 1 + r.nextInt(3), false)));
            out.add(Qwen2.spec(new Qwen2.Config("qwen2-v" + i, 152064 + pad, 8192, e, 2, ff, h, kvh, 1e6f, 1e-6f, false)));
            int hd3 = r.nextBoolean() ? 64 : 128;
            out.add(Qwen3.spec(new Qwen3.Config("qwen3-v" + i, 151936 + pad, 8192, e, 2, ff, h, kvh, hd3, 1e6f, 1e-6f, false)));
            out.add(Qwen3Moe.spec(new Qwen3Moe.Config("qwen3moe-v" + i, 151936 + pad, 8192, e, 2, ff, 128 * (1 + r.nextInt(12)), h, kvh, hd3, 16, 1 + r.nextInt(8), 1e6f, 1e-6f)));
            out.add(Gemma2.spec(new Gemma2.Config("gemma2-v" + i, "gemma-4", 262144 + pad, 8192, e, 4, ff, h, kvh, 2 * hd, 1024 * (1 + r.nextInt(4)), 50f, 30f, 1e4f, 1e-6f)));
            out.add(Gemma3.spec(new Gemma3.Config("gemma3-v" + i, "gemma-4", 262208 + pad, 8192, e, 6, ff, h, kvh, hd, 512 * (1 + r.nextInt(4)), 1e6f, 1e4f, 8f, 1e-6f)));
            out.add(Phi3.spec(new Phi3.Config("phi3-v" + i, 32064 + pad, 4096, 4096, e, 2, ff, h, r.nextBoolean() ? h : kvh, 1e4f, 1e-5f, 2047)));
        }
        for (int i = 0; i < 3; i++) {
            int hd = r.nextBoolean() ? 64 : 128;
            int kvh = new int[] {1, 2, 4, 8}[r.nextInt(4)];
            int h = kvh * (1 + r.nextInt(8));
            int e = 64 * (8 + r.nextInt(40));
            int experts = 4 + r.nextInt(29);
            int used = 1 + r.nextInt(Math.min(4, experts));
            int ffExp = 64 * (4 + r.nextInt(45));
            out.add(GptOss.spec(new GptOss.Config("gpt-oss-v" + i, "gpt-2", 201088 + 256 * r.nextInt(200), 131072, e,
                    2 * (1 + r.nextInt(3)), h, kvh, hd, experts, used, ffExp, 128 * (1 + r.nextInt(4)), 150000f, 32f, 4096,
                    1e-5f)));
        }
        for (int i = 0; i < 3; i++) {
            {
                int h = 4 * (1 + r.nextInt(8));
                int e = 256 * (2 + r.nextInt(8));
                int rank = 128 * (1 + r.nextInt(4));
                int rope = r.nextBoolean() ? 32 : 64;
                int nope = r.nextBoolean() ? 64 : 128;
                int qLora = i == 2 ? 0 : 256 * (1 + r.nextInt(4));
                int layers = qLora == 0 ? 26 : 2 + r.nextInt(3);
                int experts = 8 * (1 + r.nextInt(8));
                out.add(DeepSeek2.spec(new DeepSeek2.Config("deepseek2-v" + i, 102400 + 256 * r.nextInt(200), 8192, e, layers,
                        256 * (e / 256 + 1 + r.nextInt(8)), h, qLora, rank, nope, rope, r.nextBoolean() ? 64 : 128, 1 + r.nextInt(2),
                        experts, 1 + r.nextInt(Math.min(8, experts)), 1 + r.nextInt(2), 128 * (1 + r.nextInt(8)),
                        i == 1 ? 2.5f : 1.0f, 10000f, i == 0 ? 0f : 40f, 4096, 0.707f, 1e-6f)));
            }
        }
        return out;
    }

    @Test
    void probe() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        String only = System.getProperty("probe.only", "");
        List<ModelSpec> specs = new ArrayList<>(Zoo.all());
        specs.addAll(variants(new Random(Long.getLong("probe.seed", 7))));
        for (ModelSpec spec : specs) {
            if (!only.isEmpty() && !spec.name().startsWith(only)) continue;
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            boolean bert = spec.architecture().equals("bert");
            try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), file,
                    ModelParams.defaults().withNoAlloc(true).withMmap(false, false), null)) {
                for (int ctx : bert ? new int[] {512} : new int[] {512, 2048, 8192, 32768}) {
                    int ub = 512;
                    for (boolean flash : new boolean[] {false, true}) {
                        ContextParams cp = ContextParams.defaults().withContextSize(ctx).withBatch(2048, ub)
                                .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED).withKvUnified(false);
                        if (bert) cp = cp.withEmbeddings(true, Pooling.UNSPECIFIED);
                        long c;
                        try (LlamaContext lc = LlamaContext.create(model, cp)) { c = lc.memoryBreakdown().computeBytes(); }
                        KvCacheParams kvp = KvCacheParams.defaults().withContext(ctx).withBatch(2048, ub)
                                .withFlashAttention(flash ? dev.strata.memory.estimate.FlashAttention.ENABLED : dev.strata.memory.estimate.FlashAttention.DISABLED);
                        LayerAssignment cpu = LayerAssignment.cpuOnly(shape.layerCount());
                        KvCacheEstimate kv = KvCacheEstimate.of(shape, cpu, kvp);
                        long est = ComputeEstimate.of(shape, cpu, kvp, kv).bytesOn(LayerAssignment.CPU);
                        System.out.printf(Locale.ROOT, "PROBE %-16s %s ctx=%5d fa=%-5s act=%9.1f est=%9.1f d=%+9.1f %+6.2f%% | %s%n", spec.name(),
                                spec.architecture(), ctx, flash, c / 4.0 / ub, est / 4.0 / ub, (est - c) / 4.0 / ub, 100.0 * (est - c) / c, ComputeEstimate.describe(shape, kvp, kv));
                    }
                }
            }
            Files.delete(file);
        }
    }
}
