package dev.strata.runtime.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.llama.SamplingParams;
import dev.strata.runtime.FinishReason;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChatRecordsTest {
    @ParameterizedTest(name = "{0} with tool calls={1} -> {2}")
    @CsvSource({
        "STOP,      false, STOP",
        "STOP,      true,  TOOL_CALLS",
        "LENGTH,    true,  LENGTH",
        "CANCELLED, false, CANCELLED",
        "ERROR,     false, ERROR",
    })
    void finishReasonTellsToolCallsApart(FinishReason generation, boolean calls, ChatResult.FinishReason expected) {
        Message m = calls ? Message.assistantToolCalls(List.of(new ToolCall("", "f", "{}"))) : Message.assistant("hi");
        assertThat(ChatResult.of(m, generation).finishReason()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource({
        "'hello</s>more',     'hello'",
        "'a<|im_end|>b</s>',  'a'",
        "'no stop here',      'no stop here'",
        "'',                  ''",
    })
    void cutAtStopEndsAtTheFirstStopString(String generated, String expected) {
        ChatPrompt p = new ChatPrompt("p", SamplingParams.greedy(), List.of("</s>", "<|im_end|>"), 8, List.of(), ParseFormat.contentOnly());
        assertThat(p.cutAtStop(generated)).isEqualTo(expected);
    }

    @Test
    void requestRejectsContradictions() {
        ChatRequest base = ChatRequest.of(Message.user("hi"));
        assertThatThrownBy(() -> base.withResponseFormat(ResponseFormat.jsonObject()).withGrammar("root ::= \"x\""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.withGrammar("root ::= \"x\"")
                .withTools(List.of(new ToolDefinition("f", "", null)), ToolChoice.AUTO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatRequest.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base.withMaxTokens(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Message(Role.USER, "x", List.of(new ToolCall("", "f", "{}")), "", "", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rolesRoundTripThroughWireNames() {
        for (Role r : Role.values()) {
            assertThat(Role.fromWireName(r.wireName())).isEqualTo(r);
        }
        assertThatThrownBy(() -> Role.fromWireName("robot")).hasMessageContaining("robot");
    }
}
