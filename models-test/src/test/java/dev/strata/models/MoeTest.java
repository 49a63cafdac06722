package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SamplingParams;
import dev.strata.llama.TensorOverride;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mixture-of-experts path: stories260K turned into 4 experts, 2 per token. */
class MoeTest {

    private static String greedy(ModelParams params) {
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), TestModels.storiesMoe(), params, null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(256))) {
            assertThat(model.info().expertCount()).isEqualTo(4);
            return Generation.generate(model, ctx, "Once upon a time", 32, SamplingParams.greedy());
        }
    }

    @Test
    void moeModelLoadsAndGeneratesTheDenseModelsText() {
        String moe = greedy(ModelParams.defaults());
        assertThat(moe.trim().split("\\s+")).hasSizeGreaterThan(5);
        String dense;
        try (LlamaModel model = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults(), null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(256))) {
            dense = Generation.generate(model, ctx, "Once upon a time", 32, SamplingParams.greedy());
        }
        // Every expert is a copy of the dense FFN, so routing cannot change the result.
        assertThat(moe).isEqualTo(dense);
    }

    @Test
    void expertTensorsCanBeOverriddenToTheCpu() {
        String text = greedy(ModelParams.defaults()
                .withTensorOverrides(List.of(new TensorOverride("ffn_(up|down|gate)_exps", "CPU"))));
        assertThat(text).isEqualTo(greedy(ModelParams.defaults()));
    }
}
