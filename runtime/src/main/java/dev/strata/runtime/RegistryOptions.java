package dev.strata.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ModelRegistry} keeps models in memory.
 *
 * <pre>{@code
 * RegistryOptions o = RegistryOptions.defaults().withKeepAlive(Duration.ofMinutes(1)).withMaxLoaded(2);
 * }</pre>
 *
 * @param keepAlive  a model idle for less than this is not evicted to make room for another; it may
 *                   still be unloaded explicitly
 * @param idleUnload a model idle this long is unloaded even without pressure; {@link Duration#ZERO}
 *                   keeps idle models until their memory is needed
 * @param maxLoaded  most models in memory at once (loading ones included); a load beyond it evicts
 */
public record RegistryOptions(Duration keepAlive, Duration idleUnload, int maxLoaded) {
    public RegistryOptions {
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(idleUnload, "idleUnload");
        if (keepAlive.isNegative() || idleUnload.isNegative()) {
            throw new IllegalArgumentException("keepAlive and idleUnload must not be negative");
        }
        if (maxLoaded < 1) {
            throw new IllegalArgumentException("maxLoaded must be >= 1, not " + maxLoaded);
        }
    }

    /** Evictable as soon as idle, never unloaded for idleness alone, no limit on the count. */
    public static RegistryOptions defaults() {
        return new RegistryOptions(Duration.ZERO, Duration.ZERO, Integer.MAX_VALUE);
    }

    public RegistryOptions withKeepAlive(Duration d) {
        return new RegistryOptions(d, idleUnload, maxLoaded);
    }

    public RegistryOptions withIdleUnload(Duration d) {
        return new RegistryOptions(keepAlive, d, maxLoaded);
    }

    public RegistryOptions withMaxLoaded(int n) {
        return new RegistryOptions(keepAlive, idleUnload, n);
    }
}
