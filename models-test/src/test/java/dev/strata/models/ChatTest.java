package dev.strata.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.llama.ChatTemplateException;
import dev.strata.llama.GrammarException;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaChat;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.SamplingParams;
import dev.strata.runtime.Engine;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.chat.ChatGeneration;
import dev.strata.runtime.TokenStream;
import dev.strata.runtime.chat.ChatFormatter;
import dev.strata.runtime.chat.ChatParser;
import dev.strata.runtime.chat.ChatPrompt;
import dev.strata.runtime.chat.ChatRequest;
import dev.strata.runtime.chat.ChatResult;
import dev.strata.runtime.chat.Message;
import dev.strata.runtime.chat.ResponseFormat;
import dev.strata.runtime.chat.ToolCall;
import dev.strata.runtime.chat.ToolChoice;
import dev.strata.runtime.chat.ToolDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chat with tools and structured output on stories260K, which has no chat template of its own
 * (llama.cpp falls back to ChatML, which describes no tools). Tool templates are read from the
 * cached llama.cpp source tree ({@code models/templates}); those tests skip where it is absent.
 */
class ChatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TEMPLATES = Path.of(System.getProperty("user.home"),
            ".cache/strata/src/llama.cpp-v0.5.0/models/templates");
    private static final ToolDefinition WEATHER = new ToolDefinition("get_weather", "Current weather of a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"enum\":[\"Paris\",\"Oslo\"]}},\"required\":[\"city\"]}");

    private static Engine engine;
    private static Model model;
    private static LlamaModel vocab; // the formatter's view of the same file: tokenizer and template only
    private static ChatParser parser;

    @BeforeAll
    static void load() {
        engine = Engine.create();
        model = engine.load(TestModels.stories(), LoadOptions.defaults().withContextSize(4608));
        vocab = LlamaModel.load(LlamaBackend.get(), TestModels.stories(), ModelParams.defaults().withVocabOnly(true), null);
        parser = new ChatParser(LlamaBackend.get());
    }

    @AfterAll
    static void close() {
        vocab.close();
        engine.close();
    }

    private static String template(String file) throws IOException {
        Path p = TEMPLATES.resolve(file);
        assumeTrue(Files.isRegularFile(p), "llama.cpp's template " + p + " is not cached here");
        return Files.readString(p);
    }

    private record Answer(String text, FinishReason finishReason) {}

    /** Generates the prompt's answer the way Model.chat does: stop strings, grammar, special tokens. */
    private static Answer generate(ChatPrompt prompt) {
        GenerationResult r = model.submit(prompt.toGenerationRequest()).result().join();
        return new Answer(r.text(), r.finishReason());
    }

    @Test
    void withoutATemplateTheChatMlFallbackRendersTheConversation() {
        ChatPrompt p = ChatFormatter.forModel(vocab).format(ChatRequest.of(Message.system("Be brief."), Message.user("Hello")));
        assertThat(p.prompt()).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
        assertThat(p.sampling().grammar()).isEmpty();
        assertThat(parser.parse("Hi there.", p.parseFormat()).content()).isEqualTo("Hi there.");
    }

    @Test
    void toolsAreDescribedInThePromptAndAutoChoiceGivesALazyGrammar() throws IOException {
        ChatFormatter qwen = ChatFormatter.withTemplate(vocab, template("Qwen-Qwen2.5-7B-Instruct.jinja"));
        ChatPrompt auto = qwen.format(ChatRequest.of(Message.user("Weather in Paris?")).withTools(List.of(WEATHER), ToolChoice.AUTO));
        assertThat(auto.prompt()).contains("get_weather").contains("Current weather of a city").endsWith("<|im_start|>assistant\n");
        assertThat(auto.sampling().grammarIsLazy()).as("the model may answer in text until it opens a call").isTrue();
        assertThat(auto.sampling().grammarTriggerPatterns()).anyMatch(t -> t.contains("<tool_call>"));

        ChatPrompt required = qwen.format(ChatRequest.of(Message.user("Weather in Paris?")).withTools(List.of(WEATHER), ToolChoice.REQUIRED));
        assertThat(required.sampling().grammar()).isPresent();
        assertThat(required.sampling().grammarIsLazy()).isFalse();
        assertThat(required.sampling().grammarPrefill()).isEqualTo("<|im_start|>assistant\n");
    }

    @Test
    void aSchemaGrammarMakesStoriesWriteMatchingJson() throws IOException {
        String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},"
                + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":99}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}";
        String gbnf = LlamaChat.jsonSchemaToGrammar(LlamaBackend.get(), schema);
        JsonNode answer = JSON.readTree(generateText("Once upon a time", SamplingParams.greedy().withGrammar(gbnf), 64));
        assertThat(answer.get("name").isTextual()).isTrue();
        assertThat(answer.get("name").asText().length()).isLessThanOrEqualTo(12);
        assertThat(answer.get("age").isInt()).isTrue();
        assertThat(answer.get("age").asInt()).isBetween(0, 99);
        assertThat(answer.size()).isEqualTo(2);
    }

    @Test
    void aLazyGrammarLeavesTextFreeUntilItsTriggerAndHoldsFromThere() {
        String free = generateText("Once upon a time", SamplingParams.greedy(), 48);
        assertThat(free).as("the trigger must occur in stories' free text").contains(" was");

        String lazy = generateText("Once upon a time",
                SamplingParams.greedy().withLazyGrammar("root ::= \" was\" \" 42!\"", List.of(" was"), List.of()), 48);
        String before = free.substring(0, free.indexOf(" was"));
        assertThat(lazy).as("free until the trigger, then the grammar to its end").isEqualTo(before + " was 42!");
    }

    private static String generateText(String prompt, SamplingParams sampling, int maxTokens) {
        try (TokenStream s = model.generate(GenerationRequest.of(prompt).withMaxTokens(maxTokens).withSampling(sampling))) {
            s.forEachRemaining(t -> { });
            return s.result().text();
        }
    }

    @Test
    void aJsonResponseFormatThroughTheFormatterIsParsedAsContent() throws IOException {
        ChatPrompt p = ChatFormatter.forModel(vocab).format(ChatRequest.of(Message.user("Pick a city."))
                .withResponseFormat(ResponseFormat.jsonSchema("{\"type\":\"object\",\"properties\":{\"city\":{\"enum\":[\"Paris\",\"Oslo\"]}},\"required\":[\"city\"]}"))
                .withMaxTokens(48));
        Answer r = generate(p);
        Message m = parser.parse(r.text(), p.parseFormat());
        assertThat(JSON.readTree(m.content()).get("city").asText()).isIn("Paris", "Oslo");
    }

    @Test
    void aRequiredToolCallRoundTripsThroughGenerationAndParsing() throws IOException {
        ChatGeneration g = model.chat(ChatRequest.of(Message.user("Weather in Paris?"))
                .withTools(List.of(WEATHER), ToolChoice.REQUIRED).withMaxTokens(200), template(TOOL_TEMPLATE));
        ChatResult result = g.result().join();

        assertThat(result.finishReason()).as("generated: %s", g.generationResult().join().text())
                .isEqualTo(ChatResult.FinishReason.TOOL_CALLS);
        assertThat(result.message().toolCalls()).hasSize(1);
        ToolCall call = result.message().toolCalls().get(0);
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.argumentsJson()).get("city").asText()).isIn("Paris", "Oslo");
    }

    /** A template whose required-call grammar lets stories reach the call (see the round trip). */
    private static final String TOOL_TEMPLATE = "CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja";

    @Test
    void aHandWrittenToolCallInQwenSyntaxIsParsed() throws IOException {
        ChatPrompt p = ChatFormatter.withTemplate(vocab, template("Qwen-Qwen2.5-7B-Instruct.jinja"))
                .format(ChatRequest.of(Message.user("Weather?")).withTools(List.of(WEATHER), ToolChoice.AUTO));
        String text = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>";
        Message m = parser.parse(text, p.parseFormat());
        assertThat(m.content().trim()).isEqualTo("Let me check.");
        assertThat(m.toolCalls()).hasSize(1);
        assertThat(m.toolCalls().get(0).name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(m.toolCalls().get(0).argumentsJson())).isEqualTo(JSON.readTree("{\"city\":\"Oslo\"}"));

        Message partial = parser.parsePartial("Let me check.\n<tool_call>\n{\"name\": \"get_wea", p.parseFormat());
        assertThat(partial.content().trim()).isEqualTo("Let me check.");
    }

    @Test
    void reasoningIsKeptApartForATemplateThatMarksIt() throws IOException {
        ChatPrompt p = ChatFormatter.withTemplate(vocab, template("Qwen-Qwen3-0.6B.jinja")).format(ChatRequest.of(Message.user("2+2?")));
        Message m = parser.parse("<think>\nTwo and two.\n</think>\n\nFour.", p.parseFormat());
        assertThat(m.reasoningContent().trim()).isEqualTo("Two and two.");
        assertThat(m.content().trim()).isEqualTo("Four.");
    }

    @Test
    void anEarlierToolCallAndItsAnswerAreRendered() throws IOException {
        ChatPrompt p = ChatFormatter.withTemplate(vocab, template("Qwen-Qwen2.5-7B-Instruct.jinja")).format(ChatRequest.of(
                        Message.user("Weather in Oslo?"),
                        Message.assistantToolCalls(List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"))),
                        Message.tool("call_1", "get_weather", "{\"celsius\":-3}"))
                .withTools(List.of(WEATHER), ToolChoice.AUTO));
        assertThat(p.prompt()).contains("\"city\": \"Oslo\"").contains("{\"celsius\":-3}");
    }

    @Test
    void badInputsGiveTypedErrors() {
        LlamaBackend llama = LlamaBackend.get();
        assertThatThrownBy(() -> LlamaChat.apply(vocab, "{not json", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> LlamaChat.apply(vocab, "{\"messages\": 3}", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messages");
        assertThatThrownBy(() -> LlamaChat.apply(vocab, "{\"messages\": [{\"content\": \"no role\"}]}", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("role");
        assertThatThrownBy(() -> LlamaChat.apply(vocab, "{\"messages\": [], \"tool_choice\": \"sometimes\"}", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sometimes");
        assertThatThrownBy(() -> LlamaChat.apply(vocab, "{\"messages\": [{\"role\":\"user\",\"content\":\"x\"}]}", "{% if %}"))
                .isInstanceOf(ChatTemplateException.class);
        assertThatThrownBy(() -> LlamaChat.jsonSchemaToGrammar(llama, "[1,"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlamaChat.parse(llama, "text", false, "{\"format\": 999}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
        assertThatThrownBy(() -> LlamaChat.parse(llama, "text", false, "{\"parser\": \"{broken\"}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatFormatter.forModel(vocab).format(ChatRequest.of(Message.user("x"))
                .withResponseFormat(ResponseFormat.jsonSchema("{\"type\": "))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON schema");
        assertThatThrownBy(() -> model.generate(GenerationRequest.of("x")
                .withSampling(SamplingParams.greedy().withLazyGrammar("root ::= \"a\"", List.of("(unclosed"), List.of()))))
                .isInstanceOf(GrammarException.class).hasMessageContaining("(unclosed");
        assertThatThrownBy(() -> model.generate(GenerationRequest.of("x")
                .withSampling(SamplingParams.greedy().withGrammar("root ::= \"a\"").withGrammarPrefill("b c"))))
                .isInstanceOf(GrammarException.class).hasMessageContaining("prefill");
    }
}
