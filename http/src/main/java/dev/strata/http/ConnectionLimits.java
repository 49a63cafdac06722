package dev.strata.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the server waits on a client. A client that stops sending in the middle of a request (or
 * stops reading a stream) is cut off after {@code idleTimeout}; one that sends a body slower than
 * {@code minRequestBytesPerSecond}, a byte now and then so that it never goes idle, is cut off too. Either
 * way its connection closes, its thread is free again and other clients are served as before.
 *
 * <pre>{@code
 * ServerOptions options = ServerOptions.defaults(dir).withConnectionLimits(new ConnectionLimits(Duration.ofSeconds(10), 1024));
 * }</pre>
 *
 * @param idleTimeout              a connection whose client sends nothing for this long while the server
 *                                 waits to read (or reads nothing while the server waits to write) is
 *                                 closed; the server working on an answer quietly does not count
 *                                 ({@code BadRequestTest} shows a 400-token answer outlast a 100 ms timeout)
 * @param minRequestBytesPerSecond a request body arriving slower than this (averaged from the first byte) is
 *                                 refused and its connection closed; 0 = no minimum
 */
public record ConnectionLimits(Duration idleTimeout, long minRequestBytesPerSecond) {
    public ConnectionLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the idle timeout must be positive, not " + idleTimeout);
        }
        if (minRequestBytesPerSecond < 0) {
            throw new IllegalArgumentException("the minimum request data rate must be >= 0 bytes/s (0 = none), not "
                    + minRequestBytesPerSecond);
        }
    }

    /** 30 s idle timeout, request bodies at 1 KiB/s at least (a slow mobile link sends far more). */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(Duration.ofSeconds(30), 1024);
    }
}
