package dev.strata.http.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.http.ApiError;
import dev.strata.llama.SamplingParams;
import dev.strata.runtime.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The parameters chat and text completions share: sampling, stop strings, token limits. Each check
 * throws a 400 naming the parameter and its allowed range.
 */
final class Params {
    private Params() {}

    static void range(String name, Double value, double min, double max) {
        if (value != null && !(value >= min && value <= max)) {
            throw ApiError.badRequest(name, name + " must be between " + fmt(min) + " and " + fmt(max) + ", not " + value);
        }
    }

    static void atLeast(String name, Integer value, int min) {
        if (value != null && value < min) {
            throw ApiError.badRequest(name, name + " must be at least " + min + ", not " + value);
        }
    }

    /** Refuses a parameter that asks for something Strata does not do. */
    static void absent(String name, Object value, String why) {
        if (value != null && !(value instanceof JsonNode n && n.isNull())) {
            throw ApiError.badRequest(name, name + " is not supported: " + why);
        }
    }

    static void onlyOne(Integer n) {
        if (n != null && n != 1) {
            throw ApiError.badRequest("n", "n must be 1: Strata returns one choice per request (send several requests instead), not " + n);
        }
    }

    /**
     * Sampling as OpenAI describes it, on llama.cpp's defaults for what OpenAI leaves open (top-k 40,
     * min-p 0.05). Without a seed every request draws a fresh one, so repeated requests differ as they
     * do on OpenAI; with one, the same seed gives the same text.
     */
    static SamplingParams sampling(Double temperature, Double topP, Long seed, Double frequencyPenalty, Double presencePenalty,
                                   Integer topK, Double minP) {
        range("temperature", temperature, 0, 2);
        range("top_p", topP, 0, 1);
        range("frequency_penalty", frequencyPenalty, -2, 2);
        range("presence_penalty", presencePenalty, -2, 2);
        range("min_p", minP, 0, 1);
        atLeast("top_k", topK, 0);
        SamplingParams s = SamplingParams.defaults();
        if (temperature != null) {
            s = s.withTemperature(temperature.floatValue());
        }
        if (topP != null) {
            // top_p 0 keeps only the most likely token: greedy
            s = topP == 0 ? s.withTemperature(0f) : s.withTopP(topP.floatValue());
        }
        if (topK != null) {
            s = s.withTopK(topK);
        }
        if (minP != null) {
            s = s.withMinP(minP.floatValue());
        }
        if (frequencyPenalty != null || presencePenalty != null) {
            s = s.withPenalties(1f, frequencyPenalty == null ? 0f : frequencyPenalty.floatValue(),
                    presencePenalty == null ? 0f : presencePenalty.floatValue(), 64);
        }
        long drawn = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        return s.withSeed((int) (drawn ^ (drawn >>> 32)));
    }

    /**
     * The longest stop string, in characters. Streaming holds back as much generated text as the longest
     * stop string could cover, so a huge one would stall every stream; no real stop sequence is this long.
     */
    static final int MAX_STOP_LENGTH = 1024;

    /** {@code stop}: a string or an array of strings, at most {@link GenerationRequest#MAX_STOP_STRINGS}. */
    static List<String> stops(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return out;
        }
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiError.badRequest("stop", "stop must be a string or an array of strings");
                }
                out.add(s.asText());
            }
        } else {
            throw ApiError.badRequest("stop", "stop must be a string or an array of strings");
        }
        if (out.size() > GenerationRequest.MAX_STOP_STRINGS) {
            throw ApiError.badRequest("stop", "at most " + GenerationRequest.MAX_STOP_STRINGS + " stop strings, not " + out.size());
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiError.badRequest("stop", "stop strings must not be empty");
        }
        for (String s : out) {
            if (s.length() > MAX_STOP_LENGTH) {
                throw ApiError.badRequest("stop", "a stop string may be at most " + MAX_STOP_LENGTH + " characters, not "
                        + s.length());
            }
        }
        return out;
    }

    /**
     * The token limit: the one asked for (at most the context), or the whole context when none is given
     * (the answer then ends at the model's end token or when the context is full).
     */
    static int maxTokens(String name, Integer asked, int contextSize) {
        if (asked == null) {
            return contextSize;
        }
        if (asked > contextSize) {
            throw ApiError.badRequest(name, name + " is " + asked + " but the model's context holds " + contextSize
                    + " tokens in all (prompt included); ask for fewer");
        }
        return asked;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
