package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the fuzzer's seed headers: small synthesized headers, one per kind of model the shape reader
 * tells apart (dense GQA decoder, MoE with per-layer KV heads, MLA with an MTP layer, sliding window,
 * recurrent, encoder, unknown architecture). Committed under {@code GgufHeaderFuzzTestInputs/}; run again
 * only to change them:
 *
 * <pre>{@code
 * java -cp memory-manager/target/classes:memory-manager/target/test-classes dev.strata.memory.shape.GgufHeaderSeeds \
 *     memory-manager/src/test/resources/dev/strata/memory/shape/GgufHeaderFuzzTestInputs
 * }</pre>
 */
final class GgufHeaderSeeds {
    private static final int VOCAB = 64;

    private GgufHeaderSeeds() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        for (String method : new String[] {"readerAndPlanner", "readerAndPlannerLong"}) {
            Path dir = Files.createDirectories(root.resolve(method));
            for (Map.Entry<String, ShapeTestGguf> seed : seeds().entrySet()) {
                Files.write(dir.resolve(seed.getKey()), seed.getValue().header());
            }
        }
    }

    static Map<String, ShapeTestGguf> seeds() {
        ShapeTestGguf moe = new ShapeTestGguf("qwen3moe").u32("block_count", 2).u32("embedding_length", 64)
                .u32("attention.head_count", 4).u32("expert_count", 4).u32("expert_used_count", 2)
                .i32s("attention.head_count_kv", 2, 1).tensor("token_embd.weight", GgmlType.Q8_0, 64, VOCAB);
        for (int i = 0; i < 2; i++) {
            String b = "blk." + i + ".";
            moe.tensor(b + "attn_q.weight", GgmlType.F16, 64, 64).tensor(b + "ffn_gate_inp.weight", GgmlType.F32, 64, 4)
                    .tensor(b + "ffn_up_exps.weight", GgmlType.Q4_K, 256, 64, 4)
                    .tensor(b + "ffn_up_shexp.weight", GgmlType.Q8_0, 64, 64);
        }
        ShapeTestGguf mla = new ShapeTestGguf("deepseek2").u32("block_count", 2).u32("nextn_predict_layers", 1)
                .u32("embedding_length", 64).u32("attention.head_count", 4).u32("attention.head_count_kv", 1)
                .u32("attention.key_length", 96).u32("attention.value_length", 64)
                .u32("attention.key_length_mla", 48).u32("attention.value_length_mla", 32)
                .u32("attention.kv_lora_rank", 64).u32("rope.dimension_count", 32).u32("expert_count", 4)
                .u32("expert_used_count", 2).u32("leading_dense_block_count", 1);
        for (int i = 0; i < 2; i++) {
            mla.tensor("blk." + i + ".attn_kv_a_mqa.weight", GgmlType.Q8_0, 64, 96);
        }
        ShapeTestGguf gemma2 = ModelShapeTest.decoder("gemma2", 4, 64, 4, 2, 128, GgmlType.Q4_0, false)
                .u32("attention.sliding_window", 32).f32("attn_logit_softcapping", 50f);
        ShapeTestGguf mamba = new ShapeTestGguf("mamba2").u32("block_count", 2).u32("embedding_length", 64)
                .u32("ssm.conv_kernel", 4).u32("ssm.inner_size", 128).u32("ssm.state_size", 16)
                .u32("ssm.time_step_rank", 8).u32("ssm.group_count", 2)
                .tensor("blk.0.ssm_in.weight", GgmlType.F32, 64, 256);
        ShapeTestGguf bert = ModelShapeTest.decoder("bert", 2, 64, 4, 4, 128, GgmlType.F16, false).u32("pooling_type", 1)
                .bool("attention.causal", false);
        ShapeTestGguf unknown = new ShapeTestGguf("futurenet").tensor("token_embd.weight", GgmlType.F16, 32, VOCAB)
                .tensor("blk.0.attn_k.weight", GgmlType.F16, 32, 16).tensor("blk.0.attn_v.weight", GgmlType.F16, 32, 8);
        return Map.of("llama-gqa", ModelShapeTest.decoder("llama", 2, 64, 4, 2, 128, GgmlType.Q4_0, false).tensor("output.weight",
                        GgmlType.Q8_0, 64, VOCAB), "qwen3moe", moe, "deepseek2-mla", mla, "gemma2-swa", gemma2,
                "mamba2", mamba, "bert", bert, "unknown-arch", unknown);
    }
}
