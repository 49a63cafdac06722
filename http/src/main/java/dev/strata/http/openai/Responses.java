package dev.strata.http.openai;

import dev.strata.http.ApiError;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GenerationResult;
import io.javalin.http.Context;

/** What the OpenAI routes' answers share: JSON bodies, timestamps, finish reasons, error events. */
final class Responses {
    /** OpenAI's system_fingerprint: which backend made the answer. */
    static final String FINGERPRINT = "strata";

    private Responses() {}

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static void json(Context ctx, Object body) {
        ctx.status(200).contentType("application/json").result(OpenAiJson.write(body));
    }

    /** The HTTP error for a generation that did not finish (cancelled by shutdown, failed in llama.cpp); null if it did. */
    static ApiError failure(GenerationResult r) {
        return switch (r.finishReason()) {
            case STOP, LENGTH -> null;
            case CANCELLED -> ApiError.unavailable("cancelled", "the generation was cancelled: the server is shutting down"
                    + " or the model was unloaded", 1);
            case ERROR -> new ApiError(500, "server_error", null, "generation_failed", "generation failed: "
                    + r.errorMessage().orElse("no detail"));
        };
    }

    static void requireFinished(GenerationResult r) {
        ApiError e = failure(r);
        if (e != null) {
            throw e;
        }
    }

    /** OpenAI's in-stream error: {@code data: {"error": {...}}}, which the SDKs raise as an exception. */
    static Object errorEvent(ApiError e) {
        return e.body();
    }

    static String finishReason(FinishReason r) {
        return switch (r) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED, ERROR -> throw new IllegalStateException("not a finish reason of a finished answer: " + r);
        };
    }
}
