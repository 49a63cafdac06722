package dev.strata.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.http.openai.OpenAiJson;
import dev.strata.llama.ChatTemplateException;
import dev.strata.llama.GrammarException;
import dev.strata.runtime.ModelClosedException;
import dev.strata.runtime.ModelDoesNotFitException;
import dev.strata.runtime.PromptTooLongException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * The server's one way of answering errors: every exception a route throws, and every route that does
 * not exist, becomes an HTTP status with OpenAI's error body
 * ({@code {"error": {"message", "type", "param", "code"}}}), which the official SDKs turn into their
 * typed exceptions.
 *
 * <pre>{@code
 * ErrorResponses.register(config.routes, 8 << 20);
 * }</pre>
 */
final class ErrorResponses {
    private static final System.Logger LOG = System.getLogger(ErrorResponses.class.getName());
    /** Keeps the nulls of the error body ({@code "param": null}), as OpenAI sends them. */
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private ErrorResponses() {}

    static void register(RoutesConfig routes, long bodyLimitBytes) {
        routes.exception(Exception.class, (e, ctx) -> answer(ctx, toApiError(e, bodyLimitBytes), e));
        // Javalin answers its own HttpResponseExceptions unless a handler names that class
        routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, toApiError(e, bodyLimitBytes), e));
        routes.error(404, ctx -> {
            if (ctx.resultInputStream() == null) {
                write(ctx, new ApiError(404, "invalid_request_error", null, "unknown_url",
                        "Unknown request URL: " + ctx.method() + " " + ctx.path() + ". Strata serves /v1/chat/completions, "
                                + "/v1/completions, /v1/embeddings, /v1/models and /health."));
            }
        });
        routes.error(405, ctx -> {
            if (ctx.resultInputStream() == null) {
                write(ctx, new ApiError(405, "invalid_request_error", null, "method_not_allowed",
                        ctx.method() + " is not allowed on " + ctx.path()));
            }
        });
    }

    /** What the client is told for {@code e}. */
    static ApiError toApiError(Exception e, long bodyLimitBytes) {
        if (e instanceof ApiError api) {
            return api;
        }
        if (e instanceof JsonProcessingException json) {
            return OpenAiJson.toApiError(json);
        }
        if (e instanceof HttpResponseException h) {
            if (h.getStatus() == 413) {
                return new ApiError(413, "invalid_request_error", null, "request_too_large", "the request body is larger "
                        + "than the server's limit of " + bodyLimitBytes + " bytes (serve --max-body)");
            }
            return new ApiError(h.getStatus(), h.getStatus() < 500 ? "invalid_request_error" : "server_error", null, null,
                    h.getMessage());
        }
        if (e instanceof PromptTooLongException p) {
            return new ApiError(400, "invalid_request_error", "messages", "context_length_exceeded", "the prompt has "
                    + p.promptTokens() + " tokens but the model's context holds " + p.contextSize()
                    + "; shorten the prompt or serve the model with a larger context_size");
        }
        if (e instanceof ModelDoesNotFitException m) {
            return ApiError.unavailable("model_does_not_fit", m.getMessage(), 0);
        }
        if (e instanceof ModelClosedException) {
            return ApiError.unavailable("model_unloaded", "the model was unloaded while the request was queued; retry", 1);
        }
        if (e instanceof ChatTemplateException t) {
            return ApiError.badRequest("messages", "the model's chat template cannot render this request: " + t.getMessage());
        }
        if (e instanceof GrammarException g) {
            return ApiError.badRequest(null, "the grammar for this request's tools or response_format is invalid: " + g.getMessage());
        }
        if (e instanceof IllegalArgumentException bad) {
            return ApiError.badRequest(null, bad.getMessage());
        }
        return new ApiError(500, "server_error", null, null, "internal error (" + e.getClass().getSimpleName() + "): "
                + e.getMessage() + "; the server log has the details");
    }

    private static void answer(Context ctx, ApiError error, Exception cause) {
        if (error.status() >= 500 && error.code() == null) {
            LOG.log(System.Logger.Level.ERROR, "request " + ctx.method() + " " + ctx.path() + " failed", cause);
        }
        if (ctx.res().isCommitted()) {
            // a stream has begun: its own code sent an error event; the status can no longer change
            LOG.log(System.Logger.Level.DEBUG, () -> "after the response began: " + cause);
            return;
        }
        write(ctx, error);
    }

    static void write(Context ctx, ApiError error) {
        if (error.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        try {
            ctx.status(error.status()).contentType("application/json").result(PLAIN.writeValueAsBytes(error.body()));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
