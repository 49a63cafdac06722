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
import dev.strata.models.synth.arch.Ssm;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Real checkpoints as {@link ModelSpec}s: the numbers of their config.json in the layout llama.cpp
 * loads. Written with {@link SyntheticModels#write} and a {@link QuantMix}, each is a GGUF of the
 * real model's size and shape.
 *
 * <p>Vocabularies are llama.cpp's vocab-only files, padded up to the checkpoint's vocab_size as
 * convert_hf_to_gguf pads. Where no file of the right family exists, the nearest stands in and the
 * token count is still the checkpoint's: Mistral v0.3's 32768 pads llama-spm's 32000 (v0.3 adds 768
 * control tokens to v0.1's vocabulary), gpt-oss's 201088 (o200k_harmony) pads GPT-2's 50257. Only
 * Gemma 2 differs from its checkpoint: its 256000-token vocabulary is not here, and the Gemma 4
 * vocabulary that is has 262144 tokens, a BPE one that cannot be cut without breaking its merges;
 * so {@link #gemma2_9b()} has 6144 more embedding rows than the real model (22M weights, 0.2%).
 *
 * <pre>{@code
 * for (ModelSpec spec : Zoo.all()) {
 *     SyntheticModels.write(dir.resolve(spec.name() + ".gguf"), spec, QuantMix.Q4_K_M, vocabs, DataMode.SPARSE, 0);
 * }
 * ModelSpec a3b = Zoo.named("qwen3-30b-a3b");
 * }</pre>
 */
public final class Zoo {
    private Zoo() {}

    /** Meta-Llama-3-8B: 32 layers, GQA 32/8 heads, 128256 tokens (llama-bpe). */
    public static ModelSpec llama3_8b() {
        return LlamaFamily.spec(new LlamaFamily.Config("llama3-8b", "llama-bpe", 128256, 8192, 4096, 32, 14336,
                32, 8, 500000f, 1e-5f, 0, 0, false));
    }

    /** Meta-Llama-3-70B: 80 layers, GQA 64/8 heads. */
    public static ModelSpec llama3_70b() {
        return LlamaFamily.spec(new LlamaFamily.Config("llama3-70b", "llama-bpe", 128256, 8192, 8192, 80, 28672,
                64, 8, 500000f, 1e-5f, 0, 0, false));
    }

    /** Mistral-7B-v0.3: llama architecture, 32768 tokens (llama-spm's 32000, padded). */
    public static ModelSpec mistral7b_v03() {
        return LlamaFamily.spec(new LlamaFamily.Config("mistral-7b-v0.3", "llama-spm", 32768, 32768, 4096, 32, 14336,
                32, 8, 1e6f, 1e-5f, 0, 0, false));
    }

    /** Mixtral-8x7B-v0.1: llama architecture with 8 experts per layer, 2 used; 32000 tokens. */
    public static ModelSpec mixtral8x7b() {
        return LlamaFamily.spec(new LlamaFamily.Config("mixtral-8x7b", "llama-spm", 32000, 32768, 4096, 32, 14336,
                32, 8, 1e6f, 1e-5f, 8, 2, false));
    }

    /** Qwen2.5-7B: Q/K/V biases, GQA 28/4 heads, 152064 tokens (qwen2's 151936, padded). */
    public static ModelSpec qwen25_7b() {
        return Qwen2.spec(new Qwen2.Config("qwen2.5-7b", 152064, 32768, 3584, 28, 18944, 28, 4, 1e6f, 1e-6f, false));
    }

    /** Qwen2.5-32B: 64 layers, GQA 40/8 heads. */
    public static ModelSpec qwen25_32b() {
        return Qwen2.spec(new Qwen2.Config("qwen2.5-32b", 152064, 32768, 5120, 64, 27648, 40, 8, 1e6f, 1e-6f, false));
    }

    /** Qwen3-8B: Q/K norms, head size 128, 36 layers. */
    public static ModelSpec qwen3_8b() {
        return Qwen3.spec(new Qwen3.Config("qwen3-8b", 151936, 40960, 4096, 36, 12288, 32, 8, 128, 1e6f, 1e-6f, false));
    }

    /** Qwen3-30B-A3B: 48 layers of 128 experts (768 wide), 8 used; Q/K norms; n_embd 2048 but 32 heads of 128. */
    public static ModelSpec qwen3_30b_a3b() {
        return Qwen3Moe.spec(new Qwen3Moe.Config("qwen3-30b-a3b", 151936, 40960, 2048, 48, 6144, 768, 32, 4, 128,
                128, 8, 1e6f, 1e-6f));
    }

    /** gemma-2-9b: 42 layers, heads of 256, window 4096 on alternate layers, soft-caps 50 and 30; tied embeddings. */
    public static ModelSpec gemma2_9b() {
        return Gemma2.spec(new Gemma2.Config("gemma-2-9b", "gemma-4", 262144, 8192, 3584, 42, 14336, 16, 8, 256,
                4096, 50f, 30f, 10000f, 1e-6f));
    }

    /** gemma-3-27b: 62 layers, 5 local (window 1024) to 1 global, Q/K norms, 262208 tokens; tied embeddings. */
    public static ModelSpec gemma3_27b() {
        return Gemma3.spec(new Gemma3.Config("gemma-3-27b", "gemma-4", 262208, 131072, 5376, 62, 21504, 32, 16, 128,
                1024, 1e6f, 10000f, 8f, 1e-6f));
    }

    /** Phi-3-mini-4k-instruct: fused QKV and gate+up, 32 heads of 96, 32064 tokens. */
    public static ModelSpec phi3_mini() {
        return Phi3.spec(new Phi3.Config("phi-3-mini-4k", 32064, 4096, 4096, 3072, 32, 8192, 32, 32, 10000f, 1e-5f, 2047));
    }

    /**
     * DeepSeek-V2-Lite: MLA (kv_lora_rank 512, no q compression), 1 dense layer, then 64 routed experts
     * (1408 wide) of which 6 used, plus 2 shared; yarn x40 from 4096.
     */
    public static ModelSpec deepseekV2Lite() {
        return DeepSeek2.spec(new DeepSeek2.Config("deepseek-v2-lite", 102400, 163840, 2048, 27, 10944, 16,
                0, 512, 128, 64, 128, 1, 64, 6, 2, 1408, 1.0f, 10000f, 40f, 4096, 0.707f, 1e-6f));
    }

    /** gpt-oss-20b: 24 layers of 32 experts, 4 used; sinks; window 128 on alternate layers; 201088 tokens. */
    public static ModelSpec gptOss20b() {
        return GptOss.spec(new GptOss.Config("gpt-oss-20b", "gpt-2", 201088, 131072, 2880, 24, 64, 8, 64, 32, 4,
                2880, 128, 150000f, 32f, 4096, 1e-5f));
    }

    /** all-MiniLM-L6-v2: a 6-layer BERT encoder, n_embd 384, mean pooling (the one in ../shared/models). */
    public static ModelSpec miniLmL6() {
        return Bert.spec(new Bert.Config("all-minilm-l6-v2", 30522, 512, 384, 6, 1536, 12, 1e-12f, 1, 2));
    }

    /** Mamba-130M: 24 mamba layers, n_embd 768, d_state 16; gpt-2's tokenizer padded to gpt-neox's 50280. */
    public static ModelSpec mamba130m() {
        return Ssm.mamba(new Ssm.Config("mamba-130m", "gpt-2", 50280, 768, 24, 1536, 16, 4, 48, 0));
    }

    /** Mamba2-370M: 48 mamba2 layers, n_embd 1024, d_state 128, 32 SSM heads of 64, one group. */
    public static ModelSpec mamba2_370m() {
        return Ssm.mamba2(new Ssm.Config("mamba2-370m", "gpt-2", 50288, 1024, 48, 2048, 128, 4, 32, 1));
    }

    /**
     * A Granite-4.0-H-Micro-like hybrid: 40 layers, n_embd 2048, mamba2 layers (d_state 128, 64 heads,
     * one group) with four GQA attention layers (16 heads, 4 KV heads).
     */
    public static ModelSpec granite4HMicro() {
        return Ssm.graniteHybrid(new Ssm.Config("granite-4.0-h-micro", "gpt-2", 100352, 2048, 40, 4096, 128, 4, 64, 1),
                new Ssm.Hybrid(16, 4, 8192, 5, 15, 25, 35));
    }

    /**
     * The recurrent and hybrid shapes, kept out of {@link #all()}: their compute buffers have no graph model
     * (the envelope only) and their memory is checked by its own test.
     */
    public static List<ModelSpec> recurrent() {
        return List.of(mamba130m(), mamba2_370m(), granite4HMicro());
    }

    /** Every shape above, smallest architecture family first. */
    public static List<ModelSpec> all() {
        return List.of(llama3_8b(), llama3_70b(), mistral7b_v03(), mixtral8x7b(), qwen25_7b(), qwen25_32b(),
                qwen3_8b(), qwen3_30b_a3b(), gemma2_9b(), gemma3_27b(), phi3_mini(), deepseekV2Lite(), gptOss20b(),
                miniLmL6());
    }

    /**
     * The shape of that {@link ModelSpec#name()}.
     *
     * @throws NoSuchElementException listing the names there are
     */
    public static ModelSpec named(String name) {
        return java.util.stream.Stream.concat(all().stream(), recurrent().stream()).filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new NoSuchElementException(
                "no shape " + name + "; the zoo has " + all().stream().map(ModelSpec::name).toList()));
    }
}
