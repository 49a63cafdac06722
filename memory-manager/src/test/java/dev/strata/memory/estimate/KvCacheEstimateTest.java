package dev.strata.memory.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.shape.AttentionLayer;
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KV bytes per device. The base model has 4 layers of 2 KV heads of 64, so K and V are 128 wide:
 * in F16 one layer takes {@code 2 * 128 * cells * 2} bytes.
 */
class KvCacheEstimateTest {
    private static final LayerAssignment CPU = LayerAssignment.cpuOnly(4);
    /** Layer 0 on the CPU, layers 1-3 and the output on CUDA0 (n_gpu_layers 4). */
    private static final LayerAssignment SPLIT = LayerAssignment.llamaCpp(4, 4, List.of("CUDA0"), List.of(1f), List.of());

    private static ModelShape llama() {
        return TestShapes.layers(4).kv(2, 64).build();
    }

    private static KvCacheParams params(int ctx) {
        return KvCacheParams.defaults().withContext(ctx);
    }

    @Test
    void f16OnTheCpu() {
        KvCacheEstimate kv = KvCacheEstimate.of(llama(), CPU, params(512));
        assertThat(kv.cells()).isEqualTo(512);
        assertThat(kv.swaCells()).isZero();
        assertThat(kv.bytesByDevice()).isEqualTo(Map.of("CPU", 4 * 2 * 128 * 512 * 2L));
    }

    @Test
    void eachLayersCacheLivesWithItsLayerUnlessKqvStaysOnTheCpu() {
        long layer = 2 * 128 * 512 * 2L;
        assertThat(KvCacheEstimate.of(llama(), SPLIT, params(512)).bytesByDevice())
                .isEqualTo(Map.of("CPU", layer, "CUDA0", 3 * layer));
        assertThat(KvCacheEstimate.of(llama(), SPLIT, params(512).withOffloadKqv(false)).bytesByDevice())
                .isEqualTo(Map.of("CPU", 4 * layer, "CUDA0", 0L));
    }

    @Test
    void quantizedRowsArePaddedOnCuda() {
        KvCacheParams q8 = params(512).withTypes(GgmlType.Q8_0, GgmlType.Q8_0);
        // 128 * 512 elements of Q8_0 = 69,632 bytes; on CUDA + 384 elements (408 bytes), 128-aligned: 70,144
        KvCacheEstimate kv = KvCacheEstimate.of(llama(), SPLIT, q8);
        assertThat(kv.bytesOn("CPU")).isEqualTo(2 * 69_632L);
        assertThat(kv.bytesOn("CUDA0")).isEqualTo(3 * 2 * 70_144L);
    }

    /** Three sliding-window layers of window 1024 and one full layer, context 32768, micro-batch 512. */
    @ParameterizedTest(name = "seq {0}, unified {1}, swa_full {2} -> {3} SWA cells x {4} streams")
    @CsvSource(delimiter = '|', textBlock = """
            1 | false | false |  1536 | 1
            1 | false | true  | 32768 | 1
            4 | true  | false |  4608 | 1
            4 | false | false |  1536 | 4
            4 | false | true  |  8192 | 4
            """)
    void slidingWindowLayersGetAWindowSizedCache(int seq, boolean unified, boolean swaFull, int swaCells, int streams) {
        AttentionLayer swa = new AttentionLayer(2, 64, 64, true, true);
        AttentionLayer full = new AttentionLayer(2, 64, 64, false, true);
        ModelShape s = TestShapes.layers(4).attention(List.of(swa, swa, swa, full), 1024).build();
        KvCacheParams p = params(32768).withSequences(seq).withUnified(unified).withSwaFull(swaFull).withBatch(2048, 512);

        KvCacheEstimate kv = KvCacheEstimate.of(s, CPU, p);

        assertThat(kv.swaCells()).isEqualTo(swaCells);
        long perCell = 2 * 128 * 2; // K and V, F16
        assertThat(kv.bytesOn("CPU")).isEqualTo(perCell * streams * (3L * swaCells + kv.cells()));
    }

    @Test
    void mlaCachesOnlyTheLatentK() {
        ModelShape s = TestShapes.layers(2).attention(List.of(new AttentionLayer(1, 576, 512, false, true),
                new AttentionLayer(1, 576, 512, false, true)), 0).mla().build();
        KvCacheEstimate kv = KvCacheEstimate.of(s, LayerAssignment.cpuOnly(2), params(512));
        assertThat(kv.bytesOn("CPU")).isEqualTo(2 * 576 * 512 * 2L);
        assertThatThrownBy(() -> KvCacheEstimate.of(s, LayerAssignment.cpuOnly(2),
                params(512).withTypes(GgmlType.Q8_0, GgmlType.F16))).hasMessageContaining("different K (q8_0) and V (f16)");
    }

    @Test
    void withoutFlashAttentionVariableValueWidthsArePaddedToTheWidest() {
        ModelShape s = TestShapes.layers(2).attention(List.of(new AttentionLayer(2, 64, 32, false, true),
                new AttentionLayer(2, 64, 64, false, true)), 0).build();
        LayerAssignment cpu = LayerAssignment.cpuOnly(2);
        long k = 2 * 128 * 512 * 2L;
        assertThat(KvCacheEstimate.of(s, cpu, params(512).withFlashAttention(FlashAttention.AUTO)).bytesOn("CPU"))
                .isEqualTo(k + (64 + 128) * 512 * 2L);
        assertThat(KvCacheEstimate.of(s, cpu, params(512).withFlashAttention(FlashAttention.DISABLED)).bytesOn("CPU"))
                .isEqualTo(k + 2 * 128 * 512 * 2L);
    }

    @Test
    void multiTokenPredictionLayersGetNoCache() {
        ModelShape s = TestShapes.layers(4).kv(2, 64).mtp(1).build();
        assertThat(KvCacheEstimate.of(s, CPU, params(512)).bytesOn("CPU")).isEqualTo(3 * 2 * 128 * 512 * 2L);
    }

    @Test
    void refusesWhatLlamaCppRefuses() {
        assertThatThrownBy(() -> KvCacheEstimate.of(llama(), CPU,
                params(512).withTypes(GgmlType.F16, GgmlType.Q8_0).withFlashAttention(FlashAttention.DISABLED)))
                .hasMessage("quantized V cache requires flash_attn to be enabled");
        ModelShape smallHeads = TestShapes.layers(1).kv(4, 8).build();
        assertThatThrownBy(() -> KvCacheEstimate.of(smallHeads, LayerAssignment.cpuOnly(1),
                params(512).withTypes(GgmlType.Q8_0, GgmlType.Q8_0)))
                .hasMessage("K cache type q8_0 with block size 32 does not divide n_embd_head_k=8");
        assertThatThrownBy(() -> KvCacheEstimate.of(llama(), LayerAssignment.cpuOnly(3), params(512)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodersHaveNoCacheAndRecurrentMemoryIsNotEstimated() {
        ModelShape bert = TestShapes.layers(4).arch("bert").memory(MemoryKind.NONE).build();
        assertThat(KvCacheEstimate.of(bert, CPU, params(512)).totalBytes()).isZero();

        ModelShape rwkv = TestShapes.layers(4).arch("rwkv6").memory(MemoryKind.RECURRENT).build();
        assertThatThrownBy(() -> KvCacheEstimate.of(rwkv, CPU, params(512)))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("unsupported for KV estimate");
    }

    @Test
    void mambaStateIsOneF32RowOfEachWidthPerSequenceAndLayer() {
        // mamba-130m-like: d_conv 4, d_inner 1536, d_state 16: r = 3 * 1536, s = 16 * 1536
        ModelShape mamba = TestShapes.layers(4).kv(0, 0).arch("mamba").memory(MemoryKind.RECURRENT)
                .recurrent(4608, 24576, true, true, true, true).build();
        KvCacheEstimate one = KvCacheEstimate.of(mamba, CPU, params(4096));
        assertThat(one.totalBytes()).isEqualTo(4L * (4608 + 24576) * 4);
        assertThat(one.cells()).isZero();
        KvCacheEstimate four = KvCacheEstimate.of(mamba, CPU, params(4096).withSequences(4));
        assertThat(four.totalBytes()).isEqualTo(4L * 4 * (4608 + 24576) * 4);
    }

    @Test
    void aHybridCachesItsAttentionLayersAndKeepsStateForTheOthersOnEachLayersDevice() {
        // layers 0 and 2 recurrent, 1 and 3 attention with 2 KV heads of 64
        ModelShape jamba = TestShapes.layers(4).kv(2, 64).arch("jamba").memory(MemoryKind.HYBRID)
                .recurrent(320, 1024, true, false, true, false).build();
        KvCacheParams p = params(1024).withFlashAttention(FlashAttention.ENABLED);
        long kvRow = 2L * 128 * 1024 * 2; // K and V, 128 wide, F16, 1024 cells
        long state = (320 + 1024) * 4L;
        assertThat(KvCacheEstimate.of(jamba, CPU, p).totalBytes()).isEqualTo(2 * kvRow + 2 * state);

        // SPLIT: layer 0 (recurrent) on the CPU, layers 1-3 on CUDA0
        assertThat(KvCacheEstimate.of(jamba, SPLIT, p).bytesByDevice())
                .isEqualTo(Map.of("CPU", state, "CUDA0", 2 * kvRow + state));
        assertThat(KvCacheEstimate.of(jamba, SPLIT, p.withOffloadKqv(false)).bytesByDevice())
                .isEqualTo(Map.of("CPU", 2 * kvRow + 2 * state, "CUDA0", 0L));
    }
}
