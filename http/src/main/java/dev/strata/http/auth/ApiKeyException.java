package dev.strata.http.auth;

/**
 * An API key that cannot be used as given: an unreadable key file, an empty key, a key with spaces.
 * The message says where the key came from and what to change.
 *
 * <pre>{@code
 * try { ApiKeys.from(keys, file, System.getenv()); }
 * catch (ApiKeyException e) { System.err.println("error: " + e.getMessage()); }
 * }</pre>
 */
public final class ApiKeyException extends IllegalArgumentException {
    public ApiKeyException(String message) {
        super(message);
    }

    public ApiKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
