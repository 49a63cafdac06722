package dev.strata.models.synth;

import dev.strata.models.synth.arch.Bert;
import dev.strata.models.synth.arch.DeepSeek2;
import dev.strata.models.synth.arch.Gemma2;
import dev.strata.models.synth.arch.Gemma3;
import dev.strata.models.synth.arch.GptOss;
import dev.strata.models.synth.arch.LlamaFamily;
import dev.strata.models.synth.arch.ModelSpec;
import dev.strata.models.synth.arch.Phi3;
import dev.strata.models.synth.arch.Qwen2;
import dev.strata.models.synth.arch.Qwen3;
import dev.strata.models.synth.arch.Qwen3Moe;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Shapes no checkpoint has: every zoo architecture with seeded random widths, head counts, expert
 * counts, windows and vocabulary sizes, and few layers. The zoo checks the numbers of real models;
 * these check that the memory model holds for the architecture, not for a handful of sizes (the
 * allocator's reuse of freed blocks changes with the ratios between widths).
 *
 * <pre>{@code
 * List<ModelSpec> shapes = RandomShapes.of(new Random(7), 3);  // 3 of each architecture
 * }</pre>
 */
public final class RandomShapes {
    private RandomShapes() {}

    /** {@code perArchitecture} shapes of each of the zoo's architectures, the same for the same seed. */
    public static List<ModelSpec> of(Random r, int perArchitecture) {
        List<ModelSpec> out = new ArrayList<>();
        for (int i = 0; i < perArchitecture; i++) {
            int hd = r.nextBoolean() ? 64 : 128;
            int kvh = new int[] {1, 2, 4, 8}[r.nextInt(4)];
            int h = kvh * (1 + r.nextInt(8));
            int e = h * hd;
            int ff = 256 * (e / 256 + 1 + r.nextInt(4 * e / 256 + 1));
            int pad = 256 * r.nextInt(200);
            out.add(LlamaFamily.spec(new LlamaFamily.Config("llama-r" + i, "llama-bpe", 128256 + pad, 8192, e, 2, ff, h, kvh,
                    5e5f, 1e-5f, 0, 0, false)));
            out.add(LlamaFamily.spec(new LlamaFamily.Config("mixtral-r" + i, "llama-spm", 32000 + pad, 8192, e, 2, ff, h, kvh,
                    5e5f, 1e-5f, 8, 1 + r.nextInt(3), false)));
            out.add(Qwen2.spec(new Qwen2.Config("qwen2-r" + i, 152064 + pad, 8192, e, 2, ff, h, kvh, 1e6f, 1e-6f, false)));
            int hd3 = r.nextBoolean() ? 64 : 128;
            out.add(Qwen3.spec(new Qwen3.Config("qwen3-r" + i, 151936 + pad, 8192, e, 2, ff, h, kvh, hd3, 1e6f, 1e-6f, false)));
            out.add(Qwen3Moe.spec(new Qwen3Moe.Config("qwen3moe-r" + i, 151936 + pad, 8192, e, 2, ff,
                    128 * (1 + r.nextInt(12)), h, kvh, hd3, 16, 1 + r.nextInt(8), 1e6f, 1e-6f)));
            out.add(Gemma2.spec(new Gemma2.Config("gemma2-r" + i, "gemma-4", 262144 + pad, 8192, e, 4, ff, h, kvh, 2 * hd,
                    1024 * (1 + r.nextInt(4)), 50f, 30f, 1e4f, 1e-6f)));
            out.add(Gemma3.spec(new Gemma3.Config("gemma3-r" + i, "gemma-4", 262208 + pad, 8192, e, 6, ff, h, kvh, hd,
                    512 * (1 + r.nextInt(4)), 1e6f, 1e4f, 8f, 1e-6f)));
            out.add(Phi3.spec(new Phi3.Config("phi3-r" + i, 32064 + pad, 4096, 4096, e, 2, ff, h, r.nextBoolean() ? h : kvh,
                    1e4f, 1e-5f, 2047)));
        }
        for (int i = 0; i < perArchitecture; i++) {
            int hd = r.nextBoolean() ? 64 : 128;
            int kvh = new int[] {1, 2, 4, 8}[r.nextInt(4)];
            int h = kvh * (1 + r.nextInt(8));
            int e = 64 * (8 + r.nextInt(40));
            int experts = 4 + r.nextInt(29);
            int used = 1 + r.nextInt(Math.min(4, experts));
            int ffExp = 64 * (4 + r.nextInt(45));
            out.add(GptOss.spec(new GptOss.Config("gpt-oss-r" + i, "gpt-2", 201088 + 256 * r.nextInt(200), 131072, e,
                    2 * (1 + r.nextInt(3)), h, kvh, hd, experts, used, ffExp, 128 * (1 + r.nextInt(4)), 150000f, 32f, 4096,
                    1e-5f)));
        }
        for (int i = 0; i < perArchitecture; i++) {
            int h = 4 * (1 + r.nextInt(8));
            int e = 256 * (2 + r.nextInt(8));
            int rank = 128 * (1 + r.nextInt(4));
            int rope = r.nextBoolean() ? 32 : 64;
            int nope = r.nextBoolean() ? 64 : 128;
            // llama.cpp skips q_lora_rank for 26- and 27-layer files (V2-Lite): one of each kind
            int qLora = i % 3 == 2 ? 0 : 256 * (1 + r.nextInt(4));
            int layers = qLora == 0 ? 26 : 2 + r.nextInt(3);
            int experts = 8 * (1 + r.nextInt(8));
            out.add(DeepSeek2.spec(new DeepSeek2.Config("deepseek2-r" + i, 102400 + 256 * r.nextInt(200), 8192, e, layers,
                    256 * (e / 256 + 1 + r.nextInt(8)), h, qLora, rank, nope, rope, r.nextBoolean() ? 64 : 128,
                    1 + r.nextInt(2), experts, 1 + r.nextInt(Math.min(8, experts)), 1 + r.nextInt(2),
                    128 * (1 + r.nextInt(8)), i % 3 == 1 ? 2.5f : 1.0f, 10000f, i % 3 == 0 ? 0f : 40f, 4096, 0.707f,
                    1e-6f)));
        }
        for (int i = 0; i < perArchitecture; i++) {
            int h = 4 * (1 + r.nextInt(8));
            int e = 64 * h;
            out.add(Bert.spec(new Bert.Config("bert-r" + i, 30522 + 256 * r.nextInt(100), 512, e, 2 + r.nextInt(4),
                    e * (2 + r.nextInt(3)), h, 1e-12f, r.nextInt(3), 2)));
        }
        return out;
    }
}
