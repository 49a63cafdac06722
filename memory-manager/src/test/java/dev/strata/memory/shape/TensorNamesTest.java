package dev.strata.memory.shape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TensorNamesTest {

    @ParameterizedTest(name = "{0} -> {1} {2} {3}")
    @CsvSource(delimiter = '|', textBlock = """
            token_embd.weight                 | INPUT  | -1 | EMBEDDING      | false
            position_embd.weight              | INPUT  | -1 | EMBEDDING      | false
            token_types.weight                | INPUT  | -1 | EMBEDDING      | false
            token_embd_norm.weight            | LAYER  |  0 | NORM_OTHER     | false
            rope_freqs.weight                 | LAYER  |  0 | NORM_OTHER     | true
            rope_factors_long.weight          | LAYER  |  0 | NORM_OTHER     | true
            output.weight                     | OUTPUT | -1 | OUTPUT         | false
            output_norm.weight                | OUTPUT | -1 | OUTPUT_NORM    | false
            output_norm.bias                  | OUTPUT | -1 | OUTPUT_NORM    | false
            cls.output.weight                 | OUTPUT | -1 | OUTPUT         | false
            something_new.weight              | OUTPUT | -1 | NORM_OTHER     | false
            blk.0.attn_q.weight               | LAYER  |  0 | ATTENTION      | false
            blk.12.attn_qkv.weight            | LAYER  | 12 | ATTENTION      | false
            blk.3.attn_kv_a_mqa.weight        | LAYER  |  3 | ATTENTION      | false
            blk.3.attn_k_b.weight             | LAYER  |  3 | ATTENTION      | false
            blk.3.attn_sinks.weight           | LAYER  |  3 | ATTENTION      | false
            blk.3.attn_q_a_norm.weight        | LAYER  |  3 | NORM_OTHER     | false
            blk.3.attn_norm.weight            | LAYER  |  3 | NORM_OTHER     | false
            blk.3.post_attention_norm.weight  | LAYER  |  3 | NORM_OTHER     | false
            blk.3.ffn_up.weight               | LAYER  |  3 | FFN            | false
            blk.3.ffn_down.bias               | LAYER  |  3 | FFN            | false
            blk.3.ffn_gate_inp.weight         | LAYER  |  3 | NORM_OTHER     | false
            blk.3.exp_probs_b.bias            | LAYER  |  3 | NORM_OTHER     | false
            blk.3.ffn_gate_exps.weight        | LAYER  |  3 | EXPERTS        | false
            blk.3.ffn_gate_up_exps.weight     | LAYER  |  3 | EXPERTS        | false
            blk.3.ffn_down_exps.bias          | LAYER  |  3 | EXPERTS        | false
            blk.3.ffn_gate.5.weight           | LAYER  |  3 | EXPERTS        | false
            blk.3.ffn_up_shexp.weight         | LAYER  |  3 | SHARED_EXPERTS | false
            blk.3.ffn_gate_inp_shexp.weight   | LAYER  |  3 | SHARED_EXPERTS | false
            blk.3.ssm_in.weight               | LAYER  |  3 | NORM_OTHER     | false
            blk.61.nextn.eh_proj.weight       | LAYER  | 61 | NORM_OTHER     | false
            """)
    void classifiesLikeLlamaCppsTensorTables(String name, TensorPlacement placement, int layer, TensorGroup group,
                                             boolean perDevice) {
        WeightTensor t = TensorNames.classify(GgufTensorInfo.of(name, GgmlType.F32, 0, 64));
        assertThat(t.placement()).isEqualTo(placement);
        assertThat(t.layer()).isEqualTo(layer);
        assertThat(t.group()).isEqualTo(group);
        assertThat(t.copiedPerDevice()).isEqualTo(perDevice);
        assertThat(t.loaded()).isTrue();
    }
}
