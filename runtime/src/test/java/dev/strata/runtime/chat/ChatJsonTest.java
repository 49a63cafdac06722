package dev.strata.runtime.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatJsonTest {
    private static final ToolDefinition WEATHER = new ToolDefinition("get_weather", "Weather of a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");

    @Test
    void requestCarriesMessagesToolsAndSchemaInOpenAiShapes() {
        ChatRequest r = ChatRequest.of(
                        Message.user("Weather in Paris?"),
                        Message.assistantToolCalls(List.of(new ToolCall("c1", "get_weather", "{\"city\":\"Paris\"}"))),
                        Message.tool("c1", "get_weather", "sunny"))
                .withTools(List.of(WEATHER), ToolChoice.REQUIRED)
                .withReasoning(false);
        JsonNode n = ChatJson.parse(ChatJson.applyRequest(r, "auto"), "test");

        assertThat(n.at("/messages/1/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(n.at("/messages/1/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(n.at("/messages/1/tool_calls/0/id").asText()).isEqualTo("c1");
        assertThat(n.at("/messages/2/role").asText()).isEqualTo("tool");
        assertThat(n.at("/messages/2/tool_call_id").asText()).isEqualTo("c1");
        assertThat(n.at("/tools/0/function/parameters/properties/city/type").asText()).isEqualTo("string");
        assertThat(n.at("/tool_choice").asText()).isEqualTo("required");
        assertThat(n.at("/enable_thinking").asBoolean()).isFalse();
        assertThat(n.has("json_schema")).isFalse();
    }

    @Test
    void jsonObjectFormatIsTheObjectSchema() {
        ChatRequest r = ChatRequest.of(Message.user("hi")).withResponseFormat(ResponseFormat.jsonObject());
        JsonNode n = ChatJson.parse(ChatJson.applyRequest(r, "auto"), "test");
        assertThat(n.at("/json_schema/type").asText()).isEqualTo("object");
    }

    @Test
    void badToolSchemaIsNamedInTheError() {
        ChatRequest r = ChatRequest.of(Message.user("hi"))
                .withTools(List.of(new ToolDefinition("broken", "", "{not json")), ToolChoice.AUTO);
        assertThatThrownBy(() -> ChatJson.applyRequest(r, "auto"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tool 'broken'");
    }

    @Test
    void parsedMessageReadsToolCalls() {
        Message m = ChatJson.parsedMessage("{\"role\":\"assistant\",\"content\":\"ok\",\"reasoning_content\":\"hmm\","
                + "\"tool_calls\":[{\"id\":\"x\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}]}");
        assertThat(m.role()).isEqualTo(Role.ASSISTANT);
        assertThat(m.content()).isEqualTo("ok");
        assertThat(m.reasoningContent()).isEqualTo("hmm");
        assertThat(m.toolCalls()).containsExactly(new ToolCall("x", "get_weather", "{\"city\":\"Oslo\"}"));
    }
}
