package dev.strata.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error the server answers with an HTTP status and OpenAI's error body:
 * {@code {"error": {"message": ..., "type": ..., "param": ..., "code": ...}}}.
 *
 * <p>Handlers throw it; one exception handler renders it, so every route answers errors the same way
 * and the official SDKs map them to their typed exceptions (400 → BadRequestException, 401 →
 * UnauthorizedException, 404 → NotFoundException, 429/503 → rate-limit/server errors).
 *
 * <pre>{@code
 * throw ApiError.badRequest("n", "n must be 1: Strata returns one choice per request");
 * }</pre>
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    public ApiError(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, 0);
    }

    private ApiError(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * 503 for a server that cannot take the request now (a model's queue is full, it is shutting down);
     * the answer carries {@code Retry-After: retryAfterSeconds}, which the SDKs honour when they retry.
     */
    public static ApiError unavailable(String code, String message, int retryAfterSeconds) {
        return new ApiError(503, "server_error", null, code, message, retryAfterSeconds);
    }

    /** 400 invalid_request_error naming the parameter the client must change. */
    public static ApiError badRequest(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }

    /** 401 for a missing or wrong API key. */
    public static ApiError unauthorized(String message) {
        return new ApiError(401, "invalid_request_error", null, "invalid_api_key", message);
    }

    /** 404 for a model id the server cannot serve. */
    public static ApiError modelNotFound(String model) {
        return new ApiError(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist or you do not have access to it.");
    }

    public int status() { return status; }

    public String type() { return type; }

    public String param() { return param; }

    public String code() { return code; }

    /** Seconds for the {@code Retry-After} header; 0 = no header. */
    public int retryAfterSeconds() { return retryAfterSeconds; }

    /** The JSON body, as a map for Jackson: {@code {"error": {...}}} with nulls kept, as OpenAI sends them. */
    public Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
