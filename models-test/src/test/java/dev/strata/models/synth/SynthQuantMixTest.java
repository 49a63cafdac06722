package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.models.synth.arch.ModelSpec;
import dev.strata.models.synth.arch.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tensor types per quant mix, against what llama.cpp's quantizer does (src/llama-quant.cpp). */
class SynthQuantMixTest {

    private static Map<String, GgmlType> types(ModelSpec spec, QuantMix mix) {
        return mix.tensorInfos(spec).stream().collect(Collectors.toMap(GgufTensorInfo::name, GgufTensorInfo::type));
    }

    /** Types of the tensors whose names end with {@code suffix}, by layer. */
    private static Map<Integer, GgmlType> byLayer(ModelSpec spec, QuantMix mix, String suffix) {
        Map<Integer, GgmlType> out = new TreeMap<>();
        for (GgufTensorInfo t : mix.tensorInfos(spec)) {
            if (t.name().startsWith("blk.") && t.name().endsWith(suffix)) {
                out.put(TensorSpec.of(t.name(), 1).layer().orElseThrow(), t.type());
            }
        }
        return out;
    }

    private static Set<Integer> moreBitsLayers(int layers) {
        return IntStream.range(0, layers).filter(i -> QuantRules.useMoreBits(i, layers)).boxed().collect(Collectors.toSet());
    }

    @Test
    void useMoreBitsIsTheFirstAndLastEighthAndEveryThirdLayerBetween() {
        assertThat(moreBitsLayers(32)).containsExactlyInAnyOrder(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);
    }

    @Test
    void q4KmGivesOutputQ6KAndMoreBitsLayersQ6KForAttnVAndFfnDown() {
        ModelSpec spec = Zoo.llama3_8b();
        Map<String, GgmlType> t = types(spec, QuantMix.Q4_K_M);
        assertThat(t.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(t.get("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(t.get("output_norm.weight")).isEqualTo(GgmlType.F32);
        for (String suffix : List.of("attn_v.weight", "ffn_down.weight")) {
            byLayer(spec, QuantMix.Q4_K_M, suffix).forEach((layer, type) -> assertThat(type).as(suffix + " " + layer)
                    .isEqualTo(moreBitsLayers(32).contains(layer) ? GgmlType.Q6_K : GgmlType.Q4_K));
        }
        for (String suffix : List.of("attn_q.weight", "attn_k.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight")) {
            assertThat(byLayer(spec, QuantMix.Q4_K_M, suffix).values()).as(suffix).containsOnly(GgmlType.Q4_K);
        }
    }

    @Test
    void a70bGetsQ5KForTheAttnVThatGetNoQ6K() {
        assertThat(Set.copyOf(byLayer(Zoo.llama3_70b(), QuantMix.Q4_K_M, "attn_v.weight").values()))
                .containsExactlyInAnyOrder(GgmlType.Q6_K, GgmlType.Q5_K);
        assertThat(Set.copyOf(byLayer(Zoo.llama3_8b(), QuantMix.Q4_K_M, "attn_v.weight").values()))
                .containsExactlyInAnyOrder(GgmlType.Q6_K, GgmlType.Q4_K);
    }

    @Test
    void q4_0AndQ5KSKeepOnlyTheOutputFiner() {
        for (QuantMix mix : List.of(QuantMix.Q4_0, QuantMix.Q5_K_S)) {
            Map<String, GgmlType> t = types(Zoo.qwen25_7b(), mix);
            assertThat(t.get("output.weight")).as(mix.name()).isEqualTo(GgmlType.Q6_K);
            assertThat(t.entrySet().stream().filter(e -> !e.getKey().equals("output.weight"))
                    .map(Map.Entry::getValue).collect(Collectors.toSet()))
                    .as(mix.name()).containsExactlyInAnyOrder(mix.defaultType(), GgmlType.F32);
        }
        assertThat(types(Zoo.qwen25_7b(), QuantMix.Q4_0).get("blk.0.attn_q.bias")).isEqualTo(GgmlType.F32);
    }

    @Test
    void eightExpertsGetQ8_0KeysAndValuesAndQ5KAttentionOutput() {
        ModelSpec mixtral = Zoo.mixtral8x7b();
        for (QuantMix mix : List.of(QuantMix.Q4_0, QuantMix.Q4_K_M, QuantMix.Q5_K_S)) {
            assertThat(byLayer(mixtral, mix, "attn_k.weight").values()).as(mix.name()).containsOnly(GgmlType.Q8_0);
            assertThat(byLayer(mixtral, mix, "attn_v.weight").values()).as(mix.name()).containsOnly(GgmlType.Q8_0);
            assertThat(byLayer(mixtral, mix, "ffn_gate_inp.weight").values()).as(mix.name()).containsOnly(GgmlType.F32);
        }
        assertThat(byLayer(mixtral, QuantMix.Q4_K_M, "attn_output.weight").values()).containsOnly(GgmlType.Q5_K);
        // MoE layers take the layer from the name for ffn_down
        byLayer(mixtral, QuantMix.Q4_K_M, "ffn_down_exps.weight").forEach((layer, type) -> assertThat(type)
                .isEqualTo(moreBitsLayers(32).contains(layer) ? GgmlType.Q6_K : GgmlType.Q4_K));
    }

    @Test
    void tiedEmbeddingsAreQuantizedAsTheOutput() {
        assertThat(types(Zoo.gemma3_27b(), QuantMix.Q4_0).get("token_embd.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(types(Zoo.gemma3_27b(), QuantMix.Q4_K_M).get("token_embd.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(types(Zoo.gemma3_27b(), QuantMix.Q8_0).get("token_embd.weight")).isEqualTo(GgmlType.Q8_0);
    }

    @Test
    void gptOssInMxfp4HasMxfp4ExpertsAndQ8_0ForTheOtherMatrices() {
        ModelSpec oss = Zoo.gptOss20b();
        Map<String, GgmlType> t = types(oss, QuantMix.MXFP4_MOE);
        assertThat(t.get("blk.0.ffn_gate_exps.weight")).isEqualTo(GgmlType.MXFP4);
        assertThat(t.get("blk.0.ffn_up_exps.weight")).isEqualTo(GgmlType.MXFP4);
        assertThat(t.get("blk.0.ffn_down_exps.weight")).isEqualTo(GgmlType.MXFP4);
        assertThat(t.get("blk.0.attn_q.weight")).isEqualTo(GgmlType.Q8_0);
        assertThat(t.get("token_embd.weight")).isEqualTo(GgmlType.Q8_0);
        assertThat(t.get("output.weight")).isEqualTo(GgmlType.Q8_0);
        for (String f32 : List.of("blk.0.attn_sinks.weight", "blk.0.ffn_gate_inp.weight", "blk.0.ffn_gate_inp.bias",
                "blk.0.ffn_down_exps.bias", "blk.0.attn_q.bias", "blk.0.post_attention_norm.weight")) {
            assertThat(t.get(f32)).as(f32).isEqualTo(GgmlType.F32);
        }
    }

    /**
     * gpt-oss's n_embd 2880 is not a multiple of 256, so only its attn_output (rows of 64 heads x 64)
     * can be a K-quant.
     */
    @Test
    void rowsThatAreNotWholeKBlocksFallBackAsLlamaQuantizeDoes() {
        ModelSpec spec = Zoo.gptOss20b();
        Map<String, GgmlType> oss = types(spec, QuantMix.Q4_K_M);
        Set<GgmlType> kQuants = Set.of(GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
        for (TensorSpec t : spec.tensors()) {
            assertThat(kQuants.contains(oss.get(t.name()))).as(t.name()).isEqualTo(t.dim(0) % 256 == 0 && t.nDims() > 1
                    && !t.name().contains("gate_inp") && t.name().endsWith("weight"));
        }
        assertThat(oss.get("blk.0.attn_output.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(oss.get("output.weight")).isEqualTo(GgmlType.Q8_0);
        assertThat(oss.get("blk.0.ffn_down_exps.weight")).isEqualTo(GgmlType.Q8_0);  // Q6_K in a more-bits layer
        assertThat(oss.get("blk.4.ffn_down_exps.weight")).isEqualTo(GgmlType.Q5_0);  // Q4_K elsewhere
        assertThat(types(Zoo.gptOss20b(), QuantMix.Q5_K_S).get("blk.0.attn_q.weight")).isEqualTo(GgmlType.Q5_1);

        // DeepSeek-V2-Lite: experts 1408 wide, MLA's k_b rows of 128
        Map<String, GgmlType> ds = types(Zoo.deepseekV2Lite(), QuantMix.Q4_K_M);
        assertThat(ds.get("blk.4.ffn_down_exps.weight")).isEqualTo(GgmlType.Q5_0);
        assertThat(ds.get("blk.4.ffn_gate_exps.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(ds.get("blk.4.attn_k_b.weight")).isEqualTo(GgmlType.Q5_0);
        assertThat(ds.get("blk.4.attn_v_b.weight")).isEqualTo(GgmlType.Q4_K);
    }

    @ParameterizedTest(name = "{0} over rows of {1} -> {2}")
    @CsvSource({"Q4_K, 2880, Q5_0", "Q5_K, 2880, Q5_1", "Q6_K, 1408, Q8_0", "Q4_K, 4096, Q4_K", "Q4_0, 50, F16",
            "Q3_K, 96, Q4_0", "IQ4_XS, 2880, IQ4_NL", "Q6_K, 48, F16"})
    void fallbackTable(GgmlType target, long rows, GgmlType expected) {
        assertThat(QuantRules.fallback(TensorSpec.of("x.weight", rows, 8), target)).isEqualTo(expected);
    }

    @Test
    void aFusedQkvIsQuantizedAsAttnV() {
        byLayer(Zoo.phi3_mini(), QuantMix.Q4_K_M, "attn_qkv.weight").forEach((layer, type) -> assertThat(type)
                .isEqualTo(moreBitsLayers(32).contains(layer) ? GgmlType.Q6_K : GgmlType.Q4_K));
    }

    @Test
    void f16ConvertsEveryMatrixButKeepsRoutersInF32() {
        Map<String, GgmlType> t = types(Zoo.qwen3_30b_a3b(), QuantMix.F16);
        assertThat(t.get("blk.0.ffn_gate_inp.weight")).isEqualTo(GgmlType.F32);
        assertThat(t.get("blk.0.attn_q_norm.weight")).isEqualTo(GgmlType.F32);
        assertThat(t.entrySet().stream().filter(e -> e.getKey().endsWith("exps.weight")).map(Map.Entry::getValue))
                .containsOnly(GgmlType.F16);
        assertThat(t.get("output.weight")).isEqualTo(GgmlType.F16);
    }

    @Test
    void bertKeepsPositionAndTokenTypeEmbeddingsInF32() {
        Map<String, GgmlType> t = types(Zoo.miniLmL6(), QuantMix.Q4_K_M);
        assertThat(t.get("position_embd.weight")).isEqualTo(GgmlType.F32);
        assertThat(t.get("token_types.weight")).isEqualTo(GgmlType.F32);
        assertThat(t.get("token_embd.weight")).isEqualTo(GgmlType.Q8_0); // tied, and 384 is no whole K block
    }

    @Test
    void pureGivesEveryMatrixTheOneType() {
        QuantMix q4 = QuantMix.pure(GgmlType.Q4_0);
        assertThat(q4.fileType()).isEqualTo(2);
        Map<String, GgmlType> t = types(Zoo.llama3_8b(), q4);
        Predicate<String> matrix = n -> !n.endsWith("norm.weight");
        assertThat(t.entrySet().stream().filter(e -> matrix.test(e.getKey())).map(Map.Entry::getValue))
                .containsOnly(GgmlType.Q4_0);
        assertThat(QuantMix.pure(GgmlType.MXFP4).fileType()).isNegative();
    }

    @Test
    void aTypeWithoutFallbackIsRefused() {
        assertThatThrownBy(() -> QuantRules.fallback(TensorSpec.of("x.weight", 32, 8), GgmlType.NVFP4))
                .hasMessageContaining("no fallback");
    }
}
