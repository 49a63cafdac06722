package dev.strata.memory.shape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Shapes of synthesized headers, one per architecture rule; expected values follow llama.cpp's load_hparams. */
class ModelShapeTest {
    private static final int VOCAB = 256;

    @TempDir
    Path dir;

    /**
     * A llama-shaped decoder header: n_embd, heads, KV heads, n_ff; matrices in {@code w}, norms F32. The
     * fuzzer's seeds ({@link GgufHeaderSeeds}) are built with it too.
     */
    static ShapeTestGguf decoder(String arch, int layers, int embd, int heads, int headsKv, int ff, GgmlType w,
                                         boolean output) {
        ShapeTestGguf g = new ShapeTestGguf(arch).u32("block_count", layers).u32("embedding_length", embd)
                .u32("context_length", 4096).u32("feed_forward_length", ff).u32("attention.head_count", heads)
                .u32("attention.head_count_kv", headsKv)
                .tensor("token_embd.weight", w, embd, VOCAB).tensor("output_norm.weight", GgmlType.F32, embd);
        if (output) {
            g.tensor("output.weight", w, embd, VOCAB);
        }
        int kv = embd / heads * headsKv;
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            g.tensor(b + "attn_norm.weight", GgmlType.F32, embd).tensor(b + "attn_q.weight", w, embd, embd)
                    .tensor(b + "attn_k.weight", w, embd, kv).tensor(b + "attn_v.weight", w, embd, kv)
                    .tensor(b + "attn_output.weight", w, embd, embd).tensor(b + "ffn_norm.weight", GgmlType.F32, embd)
                    .tensor(b + "ffn_gate.weight", w, embd, ff).tensor(b + "ffn_up.weight", w, embd, ff)
                    .tensor(b + "ffn_down.weight", w, ff, embd);
        }
        return g;
    }

    private static List<Boolean> swaFlags(ModelShape s) {
        return s.attention().layers().stream().map(AttentionLayer::slidingWindow).toList();
    }

    @Test
    void llamaLayersAreSplitIntoGroupsAndTheKvGeometryFollowsTheHeads() throws IOException {
        ModelShape s = decoder("llama", 2, 256, 4, 2, 512, GgmlType.Q8_0, true).shape(dir.resolve("m.gguf"));

        assertThat(s.architecture()).isEqualTo("llama");
        assertThat(s.layerCount()).isEqualTo(2);
        assertThat(s.warnings()).isEmpty();
        LayerWeights l0 = s.layers().get(0);
        assertThat(l0.attention()).isEqualTo(GgmlType.Q8_0.byteSize(256L * 256 * 2 + 256L * 128 * 2));
        assertThat(l0.ffn()).isEqualTo(GgmlType.Q8_0.byteSize(3L * 256 * 512));
        assertThat(l0.normsOther()).isEqualTo(2 * 256 * 4);
        assertThat(l0.experts()).isZero();
        assertThat(l0.total()).isEqualTo(l0.attention() + l0.ffn() + l0.normsOther());
        assertThat(s.tokenEmbeddingBytes()).isEqualTo(GgmlType.Q8_0.byteSize(256L * VOCAB));
        assertThat(s.outputBytes()).isEqualTo(s.tokenEmbeddingBytes());
        assertThat(s.outputNormBytes()).isEqualTo(256 * 4);
        assertThat(s.tiedOutput()).isFalse();
        assertThat(s.contextLengthTrain()).isEqualTo(4096);
        assertThat(s.loadedBytes()).isEqualTo(s.layers().stream().mapToLong(LayerWeights::total).sum()
                + s.tokenEmbeddingBytes() + s.outputBytes() + s.outputNormBytes());

        AttentionShape a = s.attention();
        assertThat(a.memory()).isEqualTo(MemoryKind.KV_CACHE);
        assertThat(a.layers()).containsOnly(new AttentionLayer(2, 64, 64, false, true));
        assertThat(a.layers().get(0).keyWidth()).isEqualTo(128);
        assertThat(a.causal()).isTrue();
        assertThat(a.mla()).isFalse();
    }

    @Test
    void withoutAnOutputMatrixTheHeadIsTheTokenEmbedding() throws IOException {
        ModelShape s = decoder("qwen2", 1, 256, 4, 4, 256, GgmlType.Q4_0, false).shape(dir.resolve("m.gguf"));
        assertThat(s.tiedOutput()).isTrue();
        assertThat(s.outputBytes()).isEqualTo(s.tokenEmbeddingBytes());
    }

    @Test
    void anEncoderHasNoHeadAndNoCache() throws IOException {
        ModelShape s = decoder("bert", 1, 256, 4, 4, 256, GgmlType.Q8_0, false).bool("attention.causal", false)
                .shape(dir.resolve("m.gguf"));
        assertThat(s.tiedOutput()).isFalse();
        assertThat(s.outputBytes()).isZero();
        assertThat(s.attention().memory()).isEqualTo(MemoryKind.NONE);
        assertThat(s.attention().causal()).isFalse();
    }

    @Test
    void moeLayersKeepTheirExpertsApartFromTheRest() throws IOException {
        ShapeTestGguf g = new ShapeTestGguf("qwen3moe").u32("block_count", 2).u32("embedding_length", 256)
                .u32("attention.head_count", 4).u32("expert_count", 8).u32("expert_used_count", 2)
                .i32s("attention.head_count_kv", 2, 1);
        for (int i = 0; i < 2; i++) {
            String b = "blk." + i + ".";
            g.tensor(b + "attn_q.weight", GgmlType.F16, 256, 256).tensor(b + "ffn_gate_inp.weight", GgmlType.F32, 256, 8)
                    .tensor(b + "ffn_up_exps.weight", GgmlType.Q4_K, 256, 512, 8)
                    .tensor(b + "ffn_up_shexp.weight", GgmlType.Q8_0, 256, 512);
        }
        ModelShape s = g.shape(dir.resolve("m.gguf"));

        assertThat(s.expertCount()).isEqualTo(8);
        assertThat(s.expertUsedCount()).isEqualTo(2);
        LayerWeights l = s.layers().get(1);
        assertThat(l.experts()).isEqualTo(GgmlType.Q4_K.byteSize(256L * 512 * 8));
        assertThat(l.sharedExperts()).isEqualTo(GgmlType.Q8_0.byteSize(256L * 512));
        assertThat(l.normsOther()).isEqualTo(256 * 8 * 4);
        // head_count_kv given per layer
        assertThat(s.attention().layers()).extracting(AttentionLayer::headCountKv).containsExactly(2, 1);
    }

    /** Sliding-window layers per architecture: (arch, extra keys) → flags of 6 layers and the window. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            gemma2  |                                   | 101010 | 4096
            gemma2  | sliding_window=2048                | 101010 | 2048
            gemma2  | sliding_window_pattern=3           | 110110 | 4096
            gemma3  |                                   | 000000 | 0
            gemma3  | sliding_window=512                 | 111110 | 512
            gemma3  | sliding_window=512,sliding_window_pattern=2 | 101010 | 512
            gpt-oss | sliding_window=128                 | 101010 | 128
            phi3    | sliding_window=2047                | 000000 | 0
            llama   | sliding_window=4096                | 000000 | 0
            qwen2   |                                   | 000000 | 0
            """)
    void slidingWindowLayersFollowEachArchitecturesRule(String arch, String keys, String flags, int window)
            throws IOException {
        ShapeTestGguf g = decoder(arch, 6, 256, 4, 2, 256, GgmlType.F16, true);
        if (keys != null) {
            for (String kv : keys.split(",")) {
                String[] p = kv.split("=");
                g.u32("attention." + p[0], Integer.parseInt(p[1]));
            }
        }
        ModelShape s = g.shape(dir.resolve("m.gguf"));

        List<Boolean> expected = flags.chars().mapToObj(c -> c == '1').toList();
        assertThat(swaFlags(s)).isEqualTo(expected);
        assertThat(s.attention().slidingWindow()).isEqualTo(window);
        assertThat(s.attention().memory()).isEqualTo(window > 0 ? MemoryKind.KV_CACHE_SWA : MemoryKind.KV_CACHE);
    }

    @Test
    void aPerLayerPatternArrayWinsAndWindowLayersMayHaveTheirOwnHeadSize() throws IOException {
        ModelShape s = decoder("gemma3", 4, 256, 4, 2, 256, GgmlType.F16, true).u32("attention.sliding_window", 1024)
                .bools("attention.sliding_window_pattern", false, true, true, false)
                .u32("attention.key_length", 128).u32("attention.value_length", 128)
                .u32("attention.key_length_swa", 64).u32("attention.value_length_swa", 32)
                .shape(dir.resolve("m.gguf"));

        assertThat(s.attention().layers()).containsExactly(new AttentionLayer(2, 128, 128, false, true),
                new AttentionLayer(2, 64, 32, true, true), new AttentionLayer(2, 64, 32, true, true),
                new AttentionLayer(2, 128, 128, false, true));
        assertThat(s.attention().valueWidthVaries()).isTrue();
        assertThat(s.attention().maxValueWidth()).isEqualTo(256);
    }

    @Test
    void deepseek2WithMlaCachesOneLatentRowAndSkipsItsMtpLayer() throws IOException {
        ShapeTestGguf g = new ShapeTestGguf("deepseek2").u32("block_count", 3).u32("nextn_predict_layers", 1)
                .u32("embedding_length", 512).u32("attention.head_count", 8).u32("attention.head_count_kv", 1)
                .u32("attention.key_length", 576).u32("attention.value_length", 512)
                .u32("attention.key_length_mla", 192).u32("attention.value_length_mla", 128)
                .u32("attention.kv_lora_rank", 512).u32("rope.dimension_count", 64).u32("expert_count", 4)
                .u32("expert_used_count", 2).u32("leading_dense_block_count", 1);
        for (int i = 0; i < 3; i++) {
            g.tensor("blk." + i + ".attn_kv_a_mqa.weight", GgmlType.Q8_0, 512, 576);
        }
        ModelShape s = g.shape(dir.resolve("m.gguf"));

        AttentionShape a = s.attention();
        assertThat(a.mla()).isTrue();
        assertThat(a.kvLoraRank()).isEqualTo(512);
        assertThat(a.ropeDim()).isEqualTo(64);
        assertThat(a.layers().get(0).keyWidth()).isEqualTo(576);
        assertThat(a.layers()).extracting(AttentionLayer::hasKv).containsExactly(true, true, false);
        assertThat(s.mtpLayerCount()).isEqualTo(1);
        assertThat(s.computeLayerCount()).isEqualTo(2);
        assertThat(s.layers()).extracting(LayerWeights::loaded).containsExactly(true, true, false);
        assertThat(s.tensor("blk.2.attn_kv_a_mqa.weight").orElseThrow().loaded()).isFalse();
        assertThat(s.loadedBytes()).isEqualTo(2 * GgmlType.Q8_0.byteSize(512L * 576));
        assertThat(s.warnings()).anyMatch(w -> w.contains("multi-token-prediction"));
    }

    @Test
    void deepseek2WithoutMlaKeysIsPlainMultiHeadAttention() throws IOException {
        ModelShape s = new ShapeTestGguf("deepseek2").u32("block_count", 1).u32("embedding_length", 512)
                .u32("attention.head_count", 8).u32("attention.key_length", 192).u32("attention.value_length", 128)
                .u32("attention.kv_lora_rank", 512).tensor("blk.0.attn_norm.weight", GgmlType.F32, 512)
                .shape(dir.resolve("m.gguf"));
        assertThat(s.attention().mla()).isFalse();
        assertThat(s.attention().layers().get(0)).isEqualTo(new AttentionLayer(8, 192, 128, false, true));
    }

    @Test
    void anUnknownArchitectureIsSizedFromItsTensorNamesWithAWarning() throws IOException {
        ModelShape s = new ShapeTestGguf("futurenet")
                .tensor("token_embd.weight", GgmlType.F16, 128, VOCAB)
                .tensor("blk.0.attn_k.weight", GgmlType.F16, 128, 64).tensor("blk.0.attn_v.weight", GgmlType.F16, 128, 32)
                .tensor("blk.1.attn_k.weight", GgmlType.F16, 128, 64).tensor("blk.1.attn_v.weight", GgmlType.F16, 128, 32)
                .tensor("blk.1.mixer.weight", GgmlType.F16, 128, 128)
                .shape(dir.resolve("m.gguf"));

        assertThat(s.layerCount()).isEqualTo(2);
        assertThat(s.layers().get(1).normsOther()).isEqualTo(128 * 128 * 2);
        assertThat(s.attention().layers()).containsOnly(new AttentionLayer(1, 64, 32, false, true));
        assertThat(s.warnings()).anyMatch(w -> w.contains("unknown to llama.cpp"))
                .anyMatch(w -> w.contains("block_count is missing"))
                .anyMatch(w -> w.contains("read off the attn_k/attn_v tensors"));
    }

    @Test
    void unmodelledRecurrentAndHybridMemoriesAreFlaggedAsNotEstimated() throws IOException {
        ModelShape rwkv = new ShapeTestGguf("rwkv6").u32("block_count", 1).u32("embedding_length", 64)
                .tensor("blk.0.time_mix_key.weight", GgmlType.F32, 64, 64).shape(dir.resolve("a.gguf"));
        ModelShape next = decoder("qwen3next", 1, 64, 4, 4, 64, GgmlType.F32, true).shape(dir.resolve("b.gguf"));

        assertThat(rwkv.attention().memory()).isEqualTo(MemoryKind.RECURRENT);
        assertThat(next.attention().memory()).isEqualTo(MemoryKind.HYBRID);
        assertThat(rwkv.warnings()).anyMatch(w -> w.contains("unsupported for KV estimate"));
        assertThat(next.rules().memoryEstimable()).isFalse();
    }

    @Test
    void mambaLayersAreAllRecurrentWithMambaStateWidths() throws IOException {
        ModelShape mamba = new ShapeTestGguf("mamba2").u32("block_count", 2).u32("embedding_length", 64)
                .u32("ssm.conv_kernel", 4).u32("ssm.inner_size", 128).u32("ssm.state_size", 16)
                .u32("ssm.time_step_rank", 8).u32("ssm.group_count", 2)
                .tensor("blk.0.ssm_in.weight", GgmlType.F32, 64, 256).shape(dir.resolve("a.gguf"));
        assertThat(mamba.rules().memoryEstimable()).isTrue();
        assertThat(mamba.warnings()).noneMatch(w -> w.contains("unsupported for KV estimate"));
        // n_embd_r = (4 - 1) * (128 + 2 * 2 * 16), n_embd_s = 16 * 128
        assertThat(mamba.attention().recurrent()).isEqualTo(new RecurrentState(3 * 192, 2048));
        assertThat(mamba.attention().layers()).allMatch(l -> l.recurrent() && !l.hasKv());
    }

    @Test
    void aHybridsRecurrentLayersAreThoseWithoutKvHeads() throws IOException {
        ModelShape jamba = new ShapeTestGguf("jamba").u32("block_count", 2).u32("embedding_length", 64)
                .u32("attention.head_count", 4).i32s("attention.head_count_kv", 0, 4)
                .u32("ssm.conv_kernel", 4).u32("ssm.inner_size", 128).u32("ssm.state_size", 16)
                .tensor("blk.0.ssm_in.weight", GgmlType.F32, 64, 256).shape(dir.resolve("b.gguf"));
        assertThat(jamba.attention().memory()).isEqualTo(MemoryKind.HYBRID);
        assertThat(jamba.attention().recurrent()).isEqualTo(new RecurrentState(3 * 128, 2048));
        assertThat(jamba.attention().layers().get(0)).matches(l -> l.recurrent() && !l.hasKv());
        assertThat(jamba.attention().layers().get(1)).matches(l -> !l.recurrent() && l.hasKv());
    }

    @Test
    void aKnownButUnmodelledArchitectureWarnsThatOnlyGenericRulesApply() throws IOException {
        ModelShape s = decoder("cohere2", 2, 256, 4, 4, 256, GgmlType.F16, true).u32("attention.sliding_window", 4096)
                .shape(dir.resolve("m.gguf"));
        assertThat(s.rules().known()).isTrue();
        assertThat(s.rules().modelled()).isFalse();
        assertThat(swaFlags(s)).containsOnly(false);
        assertThat(s.warnings()).anyMatch(w -> w.contains("not modelled")).anyMatch(w -> w.contains("sliding_window"));
    }

    @Test
    void setSwaPatternMatchesLlamaCppsExamples() {
        // llama-hparams.h: "n_pattern = 3, dense_first = false": swa swa dense swa swa dense ...
        assertThat(AttentionReader.setSwaPattern(3, 7, 7)).containsExactly(true, true, false, true, true, false, true);
        assertThat(AttentionReader.setSwaPattern(0, 3, 3)).containsExactly(true, true, true);
        assertThat(AttentionReader.setSwaPattern(1, 3, 3)).containsExactly(false, false, false);
        // layers past n_layer() (MTP) are dense
        assertThat(AttentionReader.setSwaPattern(2, 4, 3)).containsExactly(true, false, true, false);
        assertThat(IntStream.range(0, 12).filter(i -> !AttentionReader.setSwaPattern(6, 12, 12)[i]).boxed())
                .containsExactly(5, 11);
    }

    /** llama.cpp asserts on these in load_hparams (an abort): the shape reader refuses them, typed, first. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no layers                      | 0   | 0  | 0 | block_count is 0
            more layers than llama.cpp     | 513 | 0  | 0 | block_count is 513
            more experts used than present | 2   | 4  | 5 | expert_used_count 5
            experts but none used          | 2   | 4  | 0 | expert_used_count 0
            more experts than llama.cpp    | 2   | 2000 | 2 | expert_count 2000
            """)
    void headersLlamaCppWouldAssertOnAreRefused(String name, int layers, int experts, int used, String message) {
        ShapeTestGguf g = new ShapeTestGguf("llama").u32("block_count", layers).u32("embedding_length", 64)
                .u32("attention.head_count", 4).tensor("token_embd.weight", GgmlType.F16, 64, VOCAB);
        if (experts > 0) {
            g.u32("expert_count", experts).u32("expert_used_count", used);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.shape(dir.resolve("m.gguf")))
                .isInstanceOf(ModelShapeException.class).hasMessageContaining(message);
    }

    @Test
    void theMtpLayerCountCannotExceedTheLayers() {
        ShapeTestGguf g = new ShapeTestGguf("deepseek2").u32("block_count", 2).u32("nextn_predict_layers", 3)
                .u32("embedding_length", 64).u32("attention.head_count", 4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.shape(dir.resolve("m.gguf")))
                .isInstanceOf(ModelShapeException.class).hasMessageContaining("nextn_predict_layers 3 exceeds");
    }

    /** Jazzer's finding in CI (crash-dcb5eb44): a non-string architecture escaped as an IllegalStateException. */
    @Test
    void anArchitectureThatIsNotAStringIsRefusedTyped() {
        ShapeTestGguf g = ShapeTestGguf.architectureAsUint8("llama", 7).u32("block_count", 2)
                .u32("embedding_length", 64).u32("attention.head_count", 4)
                .tensor("token_embd.weight", GgmlType.F16, 64, VOCAB);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.shape(dir.resolve("m.gguf")))
                .isInstanceOf(ModelShapeException.class)
                .hasMessageContaining("general.architecture is UINT8, not a STRING");
    }
}
