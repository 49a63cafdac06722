package dev.strata.models.estimate;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Small sparse models of the architectures whose KV and placement rules differ from llama's, each
 * with exactly the tensors its {@code load_arch_tensors} asks for (src/models/&lt;arch&gt;.cpp), so that
 * llama.cpp's dry run can check the estimators on them. Deliberately minimal and test-local: the
 * synthesizer in {@code dev.strata.models.synth} is where full-size architecture shapes belong.
 *
 * <p>All share n_embd 256, 4 heads of 64, 2 KV heads, n_ff 512 and a borrowed tokenizer; matrices are
 * Q8_0, norms F32.
 */
final class ArchFixtures {
    private static final long EMBD = 256;
    private static final long HEADS = 4;
    private static final long HEAD = 64;
    private static final long KV = 2 * HEAD;
    private static final long FF = 512;
    private static final GgmlType W = GgmlType.Q8_0;
    private static final GgmlType F = GgmlType.F32;

    private final GgufWriter w = new GgufWriter();
    private final String arch;
    private final long vocab;

    private ArchFixtures(String arch, int layers, GgufFile tokenizer) {
        this.arch = arch;
        // llama.cpp sizes token_embd and output by the tokenizer's token count
        this.vocab = tokenizer.getArray("tokenizer.ggml.tokens").size();
        w.putString("general.architecture", arch);
        w.putString("general.name", "fixture-" + arch);
        u32("context_length", 8192).u32("embedding_length", EMBD).u32("block_count", layers)
                .u32("feed_forward_length", FF).u32("attention.head_count", HEADS).u32("attention.head_count_kv", 2);
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f);
        w.copyMetadata(tokenizer, key -> key.startsWith("tokenizer."));
    }

    private ArchFixtures u32(String key, long value) {
        w.putUint32(arch + "." + key, value);
        return this;
    }

    private ArchFixtures t(String name, GgmlType type, long... dims) {
        w.addTensor(name, type, dims);
        return this;
    }

    private ArchFixtures head(boolean output) {
        t("token_embd.weight", W, EMBD, vocab).t("output_norm.weight", F, EMBD);
        return output ? t("output.weight", W, EMBD, vocab) : this;
    }

    private ArchFixtures qkvo(String b, boolean biases) {
        t(b + "attn_q.weight", W, EMBD, HEADS * HEAD).t(b + "attn_k.weight", W, EMBD, KV).t(b + "attn_v.weight", W, EMBD, KV)
                .t(b + "attn_output.weight", W, HEADS * HEAD, EMBD);
        return biases ? t(b + "attn_q.bias", F, HEADS * HEAD).t(b + "attn_k.bias", F, KV).t(b + "attn_v.bias", F, KV) : this;
    }

    private ArchFixtures ffn(String b) {
        return t(b + "ffn_gate.weight", W, EMBD, FF).t(b + "ffn_up.weight", W, EMBD, FF).t(b + "ffn_down.weight", W, FF, EMBD);
    }

    private Path write(Path out) throws IOException {
        w.write(out, DataMode.SPARSE, 0);
        return out;
    }

    /** Qwen2 with q/k/v biases and a tied head (src/models/qwen2.cpp). */
    static Path qwen2(Path out, GgufFile tokenizer) throws IOException {
        ArchFixtures f = new ArchFixtures("qwen2", 4, tokenizer).head(false);
        for (int i = 0; i < 4; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).qkvo(b, true).t(b + "ffn_norm.weight", F, EMBD).ffn(b);
        }
        return f.write(out);
    }

    /** Gemma 2: always tied, window 4096 on every other layer (src/models/gemma2.cpp). */
    static Path gemma2(Path out, GgufFile tokenizer) throws IOException {
        ArchFixtures f = new ArchFixtures("gemma2", 4, tokenizer).u32("attention.sliding_window", 1024).head(false);
        for (int i = 0; i < 4; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).qkvo(b, false).t(b + "post_attention_norm.weight", F, EMBD)
                    .t(b + "ffn_norm.weight", F, EMBD).ffn(b).t(b + "post_ffw_norm.weight", F, EMBD);
        }
        return f.write(out);
    }

    /** Gemma 3 with a window: five sliding layers, then one dense (src/models/gemma3.cpp). */
    static Path gemma3(Path out, GgufFile tokenizer) throws IOException {
        ArchFixtures f = new ArchFixtures("gemma3", 6, tokenizer).u32("attention.sliding_window", 512).head(false);
        for (int i = 0; i < 6; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).qkvo(b, false).t(b + "post_attention_norm.weight", F, EMBD)
                    .t(b + "attn_k_norm.weight", F, HEAD).t(b + "attn_q_norm.weight", F, HEAD)
                    .t(b + "ffn_norm.weight", F, EMBD).ffn(b).t(b + "post_ffw_norm.weight", F, EMBD);
        }
        return f.write(out);
    }

    /**
     * Phi-3 with fused QKV and gate-up, and LongRoPE factors shared by all layers (src/models/phi3.cpp).
     * Needs phi-3's own tokenizer: its vocabulary loader looks up phi-3's special tokens.
     */
    static Path phi3(Path out, GgufFile tokenizer) throws IOException {
        ArchFixtures f = new ArchFixtures("phi3", 4, tokenizer).u32("attention.sliding_window", 2047)
                .u32("rope.scaling.original_context_length", 4096).head(true)
                .t("rope_factors_long.weight", F, HEAD / 2).t("rope_factors_short.weight", F, HEAD / 2);
        for (int i = 0; i < 4; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).t(b + "attn_qkv.weight", W, EMBD, EMBD + 2 * KV)
                    .t(b + "attn_output.weight", W, EMBD, EMBD).t(b + "ffn_norm.weight", F, EMBD)
                    .t(b + "ffn_down.weight", W, FF, EMBD).t(b + "ffn_up.weight", W, EMBD, 2 * FF);
        }
        return f.write(out);
    }

    /** Qwen3-MoE: 8 experts of 256, 2 used, q/k norms (src/models/qwen3moe.cpp). */
    static Path qwen3moe(Path out, GgufFile tokenizer) throws IOException {
        ArchFixtures f = new ArchFixtures("qwen3moe", 4, tokenizer).u32("expert_count", 8).u32("expert_used_count", 2)
                .u32("expert_feed_forward_length", 256).head(true);
        for (int i = 0; i < 4; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).qkvo(b, false).t(b + "attn_k_norm.weight", F, HEAD)
                    .t(b + "attn_q_norm.weight", F, HEAD).t(b + "ffn_norm.weight", F, EMBD)
                    .t(b + "ffn_gate_inp.weight", F, EMBD, 8).t(b + "ffn_gate_exps.weight", W, EMBD, 256, 8)
                    .t(b + "ffn_down_exps.weight", W, 256, EMBD, 8).t(b + "ffn_up_exps.weight", W, EMBD, 256, 8);
        }
        return f.write(out);
    }

    /** gpt-oss: sinks, biased experts, window 128 on every other layer (src/models/openai-moe.cpp). */
    static Path gptOss(Path out, GgufFile tokenizer) throws IOException {
        ArchFixtures f = new ArchFixtures("gpt-oss", 4, tokenizer).u32("expert_count", 4).u32("expert_used_count", 2)
                .u32("expert_feed_forward_length", 256).u32("attention.sliding_window", 128)
                .u32("attention.key_length", HEAD).u32("attention.value_length", HEAD).u32("rope.dimension_count", HEAD)
                .head(true);
        for (int i = 0; i < 4; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).t(b + "post_attention_norm.weight", F, EMBD).qkvo(b, true)
                    .t(b + "attn_sinks.weight", F, HEADS).t(b + "ffn_gate_inp.weight", F, EMBD, 4)
                    .t(b + "ffn_gate_exps.weight", GgmlType.MXFP4, EMBD, 256, 4)
                    .t(b + "ffn_down_exps.weight", GgmlType.MXFP4, 256, EMBD, 4)
                    .t(b + "ffn_up_exps.weight", GgmlType.MXFP4, EMBD, 256, 4).t(b + "attn_output.bias", F, EMBD)
                    .t(b + "ffn_gate_inp.bias", F, 4).t(b + "ffn_gate_exps.bias", F, 256, 4)
                    .t(b + "ffn_down_exps.bias", F, EMBD, 4).t(b + "ffn_up_exps.bias", F, 256, 4);
        }
        return f.write(out);
    }

    /**
     * DeepSeek-V2/V3 with MLA (one 160-wide latent row per token: kv_lora_rank 128 + rope 32), a
     * dense first layer, shared experts and one multi-token-prediction layer (src/models/deepseek2.cpp).
     */
    static Path deepseek2(Path out, GgufFile tokenizer) throws IOException {
        long qLora = 128;
        long kvLora = 128;
        long rope = 32;
        long nope = 64;
        long vHead = 64;
        long ffExp = 256;
        ArchFixtures f = new ArchFixtures("deepseek2", 4, tokenizer).u32("nextn_predict_layers", 1)
                .u32("attention.head_count_kv", 1).u32("attention.key_length", kvLora + rope)
                .u32("attention.value_length", kvLora).u32("attention.key_length_mla", nope + rope)
                .u32("attention.value_length_mla", vHead).u32("attention.q_lora_rank", qLora)
                .u32("attention.kv_lora_rank", kvLora).u32("rope.dimension_count", rope).u32("leading_dense_block_count", 1)
                .u32("expert_count", 4).u32("expert_used_count", 2).u32("expert_shared_count", 1)
                .u32("expert_feed_forward_length", ffExp).head(true);
        for (int i = 0; i < 4; i++) {
            String b = "blk." + i + ".";
            f.t(b + "attn_norm.weight", F, EMBD).t(b + "attn_q_a_norm.weight", F, qLora)
                    .t(b + "attn_kv_a_norm.weight", F, kvLora).t(b + "attn_q_a.weight", W, EMBD, qLora)
                    .t(b + "attn_q_b.weight", W, qLora, HEADS * (nope + rope))
                    .t(b + "attn_kv_a_mqa.weight", W, EMBD, kvLora + rope).t(b + "attn_k_b.weight", W, nope, kvLora, HEADS)
                    .t(b + "attn_v_b.weight", W, kvLora, vHead, HEADS).t(b + "attn_output.weight", W, HEADS * vHead, EMBD)
                    .t(b + "ffn_norm.weight", F, EMBD);
            if (i == 0) {
                f.ffn(b);
            } else {
                f.t(b + "ffn_gate_inp.weight", F, EMBD, 4).t(b + "ffn_down_exps.weight", W, ffExp, EMBD, 4)
                        .t(b + "ffn_gate_exps.weight", W, EMBD, ffExp, 4).t(b + "ffn_up_exps.weight", W, EMBD, ffExp, 4)
                        .t(b + "ffn_gate_shexp.weight", W, EMBD, ffExp).t(b + "ffn_down_shexp.weight", W, ffExp, EMBD)
                        .t(b + "ffn_up_shexp.weight", W, EMBD, ffExp);
            }
            if (i == 3) {
                f.t(b + "nextn.eh_proj.weight", W, 2 * EMBD, EMBD).t(b + "nextn.enorm.weight", F, EMBD)
                        .t(b + "nextn.hnorm.weight", F, EMBD);
            }
        }
        return f.write(out);
    }
}
