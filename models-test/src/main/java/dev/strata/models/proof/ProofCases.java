package dev.strata.models.proof;

import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Every case of the GPU proof, by machine: what models-test/gpu/proof.sh runs on one H100
 * ({@code STRATA_GPU_PROOF=h100}) and on two H200s ({@code STRATA_GPU_PROOF=x2}). Caps are for the
 * whole process on a device, its CUDA context included, as a user who says "24 GiB" means them.
 *
 * <pre>{@code
 * ProofCases.accuracy("gemma3-27b-16g").caps();        // [16 GiB]
 * ProofCases.H100_ACCURACY;                            // the matrix, in the order the script runs it
 * }</pre>
 */
public final class ProofCases {
    private static final long GIB = 1L << 30;

    private ProofCases() {}

    /** What a case's placement is meant to exercise; checked by the planner in CI (ProofCasesTest). */
    public enum Layout {
        /** Every layer and the output on GPUs, nothing on the CPU. */
        FULL,
        /** Some layers (or experts) on the CPU. */
        PARTIAL,
        /** Layers on two GPUs, none on the CPU. */
        SPLIT,
        /** Layers on two GPUs and some on the CPU. */
        SPLIT_PARTIAL
    }

    /**
     * A model written as a sparse GGUF of a real checkpoint's shape.
     *
     * @param shape   {@link Zoo#named} name
     * @param quant   {@link QuantMix#presets()} name
     * @param context context size
     */
    public record ModelCase(String shape, String quant, int context) {
        public ModelSpec spec() {
            return Zoo.named(shape);
        }

        public QuantMix mix() {
            return quantMix(quant);
        }

        /** "llama3-70b Q5_K_S, ctx 4096". */
        public String describe() {
            return shape + " " + quant + ", ctx " + context;
        }
    }

    /**
     * Predicted against measured peak per device, the plan loaded exactly as Strata's loader loads it.
     *
     * @param part         "accuracy", "seed" or "split"
     * @param name         unique name
     * @param title        one line
     * @param model        the model
     * @param caps         per GPU in ggml order, the most this process may hold there (CUDA context included)
     * @param reserveBytes kept free under each cap besides (the seed case's "1 GiB reserve" of a 24 GiB card); 0 for none
     * @param layout       what the placement is meant to be
     */
    public record AccuracyCase(String part, String name, String title, ModelCase model, List<Long> caps, long reserveBytes,
                               Layout layout) {
        public AccuracyCase {
            caps = List.copyOf(caps);
        }
    }

    /**
     * A model bigger than a cap on CUDA0, loaded through the engine, its context filled with a prompt of
     * {@code context − genTokens − 1} tokens, then {@code genTokens} generated.
     */
    public record PressureCase(String name, String title, ModelCase model, long cap, int genTokens) {}

    /** Three models and a cap on CUDA0 under which they do not all fit; {@code count} random operations. */
    public record OpsCase(String name, String title, List<ModelCase> models, long cap, int count, long seed) {
        public OpsCase {
            models = List.copyOf(models);
        }
    }

    /**
     * Models loaded one after another through the registry under per-GPU caps; each expects a layout:
     * the first three fit on one GPU each (the third only after the least recently used one is evicted),
     * the fourth fits on no single GPU and must be split.
     */
    public record PlacementCase(String name, String title, List<ModelCase> models, List<Layout> expected, List<Long> caps) {
        public PlacementCase {
            models = List.copyOf(models);
            expected = List.copyOf(expected);
            caps = List.copyOf(caps);
        }
    }

    /** Split generation speed: a model with random weights, caps that force a layer split across two GPUs. */
    public record SpeedCase(String name, String title, ModelCase model, List<Long> caps, int reps) {
        public SpeedCase {
            caps = List.copyOf(caps);
        }
    }

    private static AccuracyCase one(String part, String name, String title, String shape, String quant, int ctx, long capGib,
                                    Layout layout) {
        return new AccuracyCase(part, name, title, new ModelCase(shape, quant, ctx), List.of(capGib * GIB), 0, layout);
    }

    /** The seed case on one GPU: 24 GiB for the process, context 4096. */
    public static final AccuracyCase SEED = one("seed", "seed",
            "DeepSeek-R1-Distill-Llama-70B Q5_K_S shape under a 24 GiB budget, ctx 4096", "llama3-70b", "Q5_K_S", 4096, 24,
            Layout.PARTIAL);

    /**
     * The single-GPU matrix: the twelve shapes of the issue, five quantization mixes (and gpt-oss's
     * MXFP4), short and long contexts, everything on the GPU or part of it. Shapes not proven before
     * come first, so that a run cut short by time still covers them.
     */
    public static final List<AccuracyCase> H100_ACCURACY = List.of(
            one("accuracy", "qwen25-7b-f16-full", "Qwen2.5-7B F16, ctx 8192, all layers on the GPU",
                    "qwen2.5-7b", "F16", 8192, 40, Layout.FULL),
            one("accuracy", "phi3-q4_0-full", "Phi-3-mini Q4_0, ctx 4096, all layers on the GPU",
                    "phi-3-mini-4k", "Q4_0", 4096, 40, Layout.FULL),
            one("accuracy", "gemma2-9b-q5ks-6g", "Gemma-2-9B Q5_K_S, ctx 8192, under 6 GiB",
                    "gemma-2-9b", "Q5_K_S", 8192, 6, Layout.PARTIAL),
            one("accuracy", "mixtral-q4km-16g", "Mixtral-8x7B Q4_K_M, ctx 4096, under 16 GiB",
                    "mixtral-8x7b", "Q4_K_M", 4096, 16, Layout.PARTIAL),
            one("accuracy", "dsv2lite-q8-full", "DeepSeek-V2-Lite Q8_0 (MLA), ctx 4096, all layers on the GPU",
                    "deepseek-v2-lite", "Q8_0", 4096, 40, Layout.FULL),
            one("accuracy", "gptoss-mxfp4-full", "gpt-oss-20b MXFP4, ctx 8192, all layers on the GPU",
                    "gpt-oss-20b", "MXFP4_MOE", 8192, 40, Layout.FULL),
            one("accuracy", "qwen25-32b-q4km-16g", "Qwen2.5-32B Q4_K_M, ctx 8192, under 16 GiB",
                    "qwen2.5-32b", "Q4_K_M", 8192, 16, Layout.PARTIAL),
            one("accuracy", "llama3-8b-full", "Llama-3-8B Q4_K_M, ctx 32768, all layers on the GPU",
                    "llama3-8b", "Q4_K_M", 32768, 40, Layout.FULL),
            one("accuracy", "gemma3-27b-16g", "Gemma-3-27B Q4_K_M, ctx 16384, under 16 GiB",
                    "gemma-3-27b", "Q4_K_M", 16384, 16, Layout.PARTIAL),
            one("accuracy", "qwen3moe-12g", "Qwen3-30B-A3B Q4_K_M, ctx 8192, under 12 GiB",
                    "qwen3-30b-a3b", "Q4_K_M", 8192, 12, Layout.PARTIAL),
            one("accuracy", "mistral-7b-6g", "Mistral-7B Q8_0, ctx 32768, under 6 GiB",
                    "mistral-7b-v0.3", "Q8_0", 32768, 6, Layout.PARTIAL));

    /** Models bigger than the 24 and 16 GiB caps; small contexts keep the CPU layers' prompt short. */
    public static final List<PressureCase> H100_PRESSURE = List.of(
            new PressureCase("70b-24g", "Llama-3-70B Q5_K_S shape (45 GiB) under a 24 GiB cap, ctx 1024 filled",
                    new ModelCase("llama3-70b", "Q5_K_S", 1024), 24 * GIB, 8),
            new PressureCase("qwen3moe-16g", "Qwen3-30B-A3B Q8_0 (30 GiB) under a 16 GiB cap, ctx 2048 filled",
                    new ModelCase("qwen3-30b-a3b", "Q8_0", 2048), 16 * GIB, 8),
            new PressureCase("8b-4g", "Llama-3-8B Q8_0 (8 GiB) under a 4 GiB cap, ctx 16384 filled",
                    new ModelCase("llama3-8b", "Q8_0", 16384), 4 * GIB, 16));

    /** 100 operations over three models under a 10 GiB cap that holds two of them, not three. */
    public static final OpsCase H100_OPS = new OpsCase("ops-10g",
            "100 random load / unload / generate over Phi-3-mini, Mistral-7B and Llama-3-8B (Q4_0) under 10 GiB",
            List.of(new ModelCase("phi-3-mini-4k", "Q4_0", 1024), new ModelCase("mistral-7b-v0.3", "Q4_0", 1024),
                    new ModelCase("llama3-8b", "Q4_0", 1024)),
            10 * GIB, 100, 20261124L);

    private static AccuracyCase two(String name, String title, String shape, String quant, int ctx, long gib0, long gib1,
                                    Layout layout) {
        return new AccuracyCase("split", name, title, new ModelCase(shape, quant, ctx), List.of(gib0 * GIB, gib1 * GIB), 0,
                layout);
    }

    /** Two GPUs: dense and MoE, even and uneven caps. */
    public static final List<AccuracyCase> X2_SPLIT = List.of(
            two("dense-24+24", "Gemma-3-27B Q8_0, ctx 8192, caps 24 + 24 GiB", "gemma-3-27b", "Q8_0", 8192, 24, 24,
                    Layout.SPLIT),
            two("dense-24+12", "Qwen2.5-32B Q8_0, ctx 4096, caps 24 + 12 GiB", "qwen2.5-32b", "Q8_0", 4096, 24, 12,
                    Layout.SPLIT),
            two("moe-24+24", "Mixtral-8x7B Q4_K_M, ctx 4096, caps 24 + 24 GiB", "mixtral-8x7b", "Q4_K_M", 4096, 24, 24,
                    Layout.SPLIT),
            two("moe-24+12", "Qwen3-30B-A3B Q8_0, ctx 4096, caps 24 + 12 GiB", "qwen3-30b-a3b", "Q8_0", 4096, 24, 12,
                    Layout.SPLIT));

    /** The seed case on two 24 GiB cards with the 1 GiB reserve each (docs/seed-case.md, "On two 24 GiB cards"). */
    public static final AccuracyCase SEED_X2 = new AccuracyCase("seed", "seed-x2",
            "DeepSeek-R1-Distill-Llama-70B Q5_K_S shape on two 24 GiB cards (1 GiB reserve each), ctx 4096",
            new ModelCase("llama3-70b", "Q5_K_S", 4096), List.of(24 * GIB, 24 * GIB), GIB, Layout.SPLIT_PARTIAL);

    /** Three models that fit one GPU each, then one that must be split; caps 12 GiB per GPU. */
    public static final PlacementCase X2_PLACEMENT = new PlacementCase("three-models-12+12",
            "Llama-3-8B, Qwen2.5-7B, Gemma-2-9B (Q8_0), then Qwen2.5-32B Q4_K_M, under 12 + 12 GiB",
            List.of(new ModelCase("llama3-8b", "Q8_0", 2048), new ModelCase("qwen2.5-7b", "Q8_0", 2048),
                    new ModelCase("gemma-2-9b", "Q8_0", 2048), new ModelCase("qwen2.5-32b", "Q4_K_M", 2048)),
            List.of(Layout.FULL, Layout.FULL, Layout.FULL, Layout.SPLIT), List.of(12 * GIB, 12 * GIB));

    /** Llama-3-8B Q4_0 with random weights, 3.5 GiB per GPU: all layers on the GPUs, split about evenly. */
    public static final SpeedCase X2_SPEED = new SpeedCase("llama3-8b-split",
            "Llama-3-8B Q4_0, random weights, layers split across two GPUs (3.5 + 3.5 GiB caps)",
            new ModelCase("llama3-8b", "Q4_0", 1024), List.of(3 * GIB + GIB / 2, 3 * GIB + GIB / 2), 3);

    /** Every accuracy-like case (single GPU, seed, split), by name. */
    public static AccuracyCase accuracy(String name) {
        return Stream.of(Stream.of(SEED, SEED_X2), H100_ACCURACY.stream(), X2_SPLIT.stream()).flatMap(s -> s)
                .filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no accuracy case " + name + "; cases: " + accuracyNames()));
    }

    public static List<String> accuracyNames() {
        return Stream.of(Stream.of(SEED, SEED_X2), H100_ACCURACY.stream(), X2_SPLIT.stream()).flatMap(s -> s)
                .map(AccuracyCase::name).toList();
    }

    public static PressureCase pressure(String name) {
        return H100_PRESSURE.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no pressure case " + name + "; cases: "
                        + H100_PRESSURE.stream().map(PressureCase::name).toList()));
    }

    /** The preset of that name ("Q4_K_M"). */
    public static QuantMix quantMix(String name) {
        return QuantMix.presets().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no quantization mix " + name + "; mixes: "
                        + QuantMix.presets().stream().map(QuantMix::name).toList()));
    }
}
