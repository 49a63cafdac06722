package dev.strata.http.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.strata.runtime.TokenLogprob;
import dev.strata.runtime.TokenLogprobs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Token log-probabilities in OpenAI's two shapes: chat's {@code {"content": [{"token", "logprob",
 * "bytes", "top_logprobs"}]}} and the legacy completions' parallel arrays. The numbers are the
 * runtime's: log-softmax of the raw logits, before penalties, grammar and temperature.
 */
final class Logprobs {
    private Logprobs() {}

    /** Chat's {@code choice.logprobs}. */
    record Chat(List<Entry> content, @JsonInclude(JsonInclude.Include.ALWAYS) Object refusal) {}

    record Entry(String token, double logprob, int[] bytes, List<Top> topLogprobs) {}

    record Top(String token, double logprob, int[] bytes) {}

    /** The legacy completions' {@code choice.logprobs}. */
    record Text(List<String> tokens, List<Double> tokenLogprobs, List<Map<String, Double>> topLogprobs, List<Integer> textOffset) {}

    static Chat chat(List<TokenLogprobs> tokens) {
        List<Entry> out = new ArrayList<>();
        for (TokenLogprobs t : tokens) {
            List<Top> top = new ArrayList<>();
            for (TokenLogprob alt : t.top()) {
                top.add(new Top(alt.text(), alt.logprob(), alt.unsignedBytes()));
            }
            TokenLogprob c = t.chosen();
            out.add(new Entry(c.text(), c.logprob(), c.unsignedBytes(), top));
        }
        return new Chat(out, null);
    }

    /** @param offset where the first token's text starts in the completion */
    static Text text(List<TokenLogprobs> tokens, int offset) {
        List<String> texts = new ArrayList<>();
        List<Double> logprobs = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int at = offset;
        for (TokenLogprobs t : tokens) {
            String text = t.chosen().text();
            texts.add(text);
            logprobs.add((double) t.chosen().logprob());
            Map<String, Double> top = new LinkedHashMap<>();
            t.top().forEach(alt -> top.putIfAbsent(alt.text(), (double) alt.logprob()));
            tops.add(top);
            offsets.add(at);
            at += text.length();
        }
        return new Text(texts, logprobs, tops, offsets);
    }
}
