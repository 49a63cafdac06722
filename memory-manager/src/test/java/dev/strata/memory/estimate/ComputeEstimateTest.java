package dev.strata.memory.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compute buffers per token against llama.cpp 0.5.0's own dry run on the CPU (ComputeVariantsTest in
 * models-test measured these, micro-batch 512, F16 cache): the simulated graph has to land on the
 * same byte count, not near it.
 */
class ComputeEstimateTest {
    private static final GgmlType Q8 = GgmlType.Q8_0;
    private static final GgmlType F32 = GgmlType.F32;

    /** phi-3-mini-4k: fused QKV and gate+up, 32 heads of 96, no GQA, a separate LM head. */
    private static ModelShape phi3Mini() {
        return TestShapes.layers(32).arch("phi3").kv(32, 96)
                .tensor("token_embd.weight", Q8, 3072, 32064)
                .tensor("output_norm.weight", F32, 3072)
                .tensor("output.weight", Q8, 3072, 32064)
                .everyLayer("blk.%d.attn_norm.weight", F32, 3072)
                .everyLayer("blk.%d.attn_qkv.weight", Q8, 3072, 9216)
                .everyLayer("blk.%d.attn_output.weight", Q8, 3072, 3072)
                .everyLayer("blk.%d.ffn_norm.weight", F32, 3072)
                .everyLayer("blk.%d.ffn_down.weight", Q8, 8192, 3072)
                .everyLayer("blk.%d.ffn_up.weight", Q8, 3072, 16384)
                .build();
    }

    /** all-MiniLM-L6-v2: an encoder without a cache, 12 heads of 32, mean pooling. */
    private static ModelShape miniLm() {
        return TestShapes.layers(6).arch("bert").memory(MemoryKind.NONE).kv(12, 32).pooling(1)
                .tensor("token_embd.weight", Q8, 384, 30522)
                .tensor("token_types.weight", F32, 384, 2)
                .tensor("position_embd.weight", F32, 384, 512)
                .tensor("token_embd_norm.weight", F32, 384)
                .tensor("token_embd_norm.bias", F32, 384)
                .everyLayer("blk.%d.attn_q.weight", Q8, 384, 384)
                .everyLayer("blk.%d.attn_q.bias", F32, 384)
                .everyLayer("blk.%d.attn_k.weight", Q8, 384, 384)
                .everyLayer("blk.%d.attn_k.bias", F32, 384)
                .everyLayer("blk.%d.attn_v.weight", Q8, 384, 384)
                .everyLayer("blk.%d.attn_v.bias", F32, 384)
                .everyLayer("blk.%d.attn_output.weight", Q8, 384, 384)
                .everyLayer("blk.%d.attn_output.bias", F32, 384)
                .everyLayer("blk.%d.ffn_up.weight", Q8, 384, 1536)
                .everyLayer("blk.%d.ffn_up.bias", F32, 1536)
                .everyLayer("blk.%d.ffn_down.weight", Q8, 1536, 384)
                .everyLayer("blk.%d.ffn_down.bias", F32, 384)
                .everyLayer("blk.%d.attn_output_norm.weight", F32, 384)
                .everyLayer("blk.%d.attn_output_norm.bias", F32, 384)
                .everyLayer("blk.%d.layer_output_norm.weight", F32, 384)
                .everyLayer("blk.%d.layer_output_norm.bias", F32, 384)
                .build();
    }

    private static long floatsPerToken(ModelShape shape, int ctx, boolean flash) {
        KvCacheParams params = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED);
        KvCacheEstimate kv = KvCacheEstimate.of(shape, LayerAssignment.cpuOnly(shape.layerCount()), params);
        long bytes = ComputeEstimate.bytes(shape, params, kv);
        assertThat(bytes % (4 * 512)).isZero();
        return bytes / 4 / 512;
    }

    @ParameterizedTest
    @CsvSource({
            "512,   false, 40453",
            "512,   true,  44615",
            "2048,  false, 82949",
            "8192,  true,  38209",
            "32768, true,  50183"})
    void phi3MatchesLlamaCpp(int ctx, boolean flash, long floats) {
        assertThat(floatsPerToken(phi3Mini(), ctx, flash)).isEqualTo(floats);
    }

    @ParameterizedTest
    @CsvSource({"false, 8964", "true, 2948"})
    void bertMatchesLlamaCpp(boolean flash, long floats) {
        assertThat(floatsPerToken(miniLm(), 512, flash)).isEqualTo(floats);
    }

    /** A llama file without Q/K/V projections cannot be replayed: the envelope answers, nothing throws. */
    @Test
    void aFileWhoseTensorsDoNotMakeTheGraphGetsTheEnvelope() {
        ModelShape broken = TestShapes.layers(2).arch("llama")
                .tensor("token_embd.weight", GgmlType.Q8_0, 256, 1000)
                .tensor("output_norm.weight", GgmlType.F32, 256)
                .everyLayer("blk.%d.attn_norm.weight", GgmlType.F32, 256)
                .everyLayer("blk.%d.ffn_up.weight", GgmlType.Q8_0, 256, 512)
                .kv(2, 64).build();
        KvCacheParams params = KvCacheParams.defaults().withContext(1024).withBatch(512, 512);
        LayerAssignment cpu = LayerAssignment.cpuOnly(2);
        KvCacheEstimate kv = KvCacheEstimate.of(broken, cpu, params);
        assertThat(ComputeEstimate.bytes(broken, params, kv)).isPositive();
        assertThat(ComputeEstimate.buffers(broken, params, kv, cpu, java.util.List.of())).isNull();
        assertThat(ComputeEstimate.of(broken, cpu, params, kv).bytesOn(LayerAssignment.CPU)).isPositive();
    }
}
