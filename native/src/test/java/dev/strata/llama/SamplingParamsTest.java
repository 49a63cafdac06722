package dev.strata.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {
    @Test
    void aGrammarWithTriggersIsLazyAndWithoutIsEager() {
        SamplingParams lazy = SamplingParams.greedy().withLazyGrammar("root ::= \"x\"", List.of("<tool_call>"), List.of());
        assertThat(lazy.grammarIsLazy()).isTrue();
        assertThat(lazy.withGrammar("root ::= \"y\"").grammarIsLazy()).as("a new grammar drops the old triggers").isFalse();
        assertThat(SamplingParams.greedy().withGrammar("root ::= \"y\"").grammarIsLazy()).isFalse();
    }

    @Test
    void withersKeepTheGrammarFields() {
        SamplingParams p = SamplingParams.greedy().withLazyGrammar("root ::= \"x\"", List.of("a"), List.of(7)).withSeed(3).withTopK(5);
        assertThat(p.grammarTriggerPatterns()).containsExactly("a");
        assertThat(p.grammarTriggerTokens()).containsExactly(7);
        SamplingParams q = SamplingParams.greedy().withGrammar("root ::= \"x\"").withGrammarPrefill("<|im_start|>").withTemperature(0.5f);
        assertThat(q.grammarPrefill()).isEqualTo("<|im_start|>");
    }

    @Test
    void triggersAndPrefillNeedAGrammarAndExcludeEachOther() {
        assertThatThrownBy(() -> SamplingParams.greedy().withGrammarPrefill("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SamplingParams.greedy().withLazyGrammar("root ::= \"x\"", List.of("a"), List.of()).withGrammarPrefill("x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOldConstructorStillBuildsAnEagerGrammar() {
        SamplingParams p = new SamplingParams(0f, 40, 0.95f, 0.05f, 1f, 0f, 0f, 64, 0, java.util.Optional.of("root ::= \"x\""));
        assertThat(p.grammarIsLazy()).isFalse();
        assertThat(p.grammarPrefill()).isEmpty();
    }
}
