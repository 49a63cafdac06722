package dev.strata.models.gpu;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Listens to the planned loader and the registry while a proof case runs: each WARNING of the loader
 * is an allocation that failed on a device (a CUDA out-of-memory the loader caught and retried with
 * fewer layers), which the proof counts as a failure; the registry's evictions are counted as facts.
 * Works whatever the logging configuration prints, since the handler sits on the loggers themselves.
 *
 * <pre>{@code
 * try (LoaderWarnings w = LoaderWarnings.install()) {
 *     engine.load(...);
 *     w.allocationFailures();   // [] when every plan fitted
 * }
 * }</pre>
 */
final class LoaderWarnings implements AutoCloseable {
    static final String LOADER = "dev.strata.runtime.load.PlannedLoader";
    static final String REGISTRY = "dev.strata.runtime.ModelRegistry";

    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> evictions = new CopyOnWriteArrayList<>();
    private final Logger loader = Logger.getLogger(LOADER);
    private final Logger registry = Logger.getLogger(REGISTRY);
    private final Level loaderLevel;
    private final Level registryLevel;
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String message = r.getMessage();
            if (r.getLoggerName().equals(LOADER) && r.getLevel().intValue() >= Level.WARNING.intValue()) {
                failures.add(message);
            } else if (r.getLoggerName().equals(REGISTRY) && message != null && message.startsWith("evicted ")) {
                evictions.add(message);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private LoaderWarnings() {
        loaderLevel = loader.getLevel();
        registryLevel = registry.getLevel();
        loader.setLevel(Level.ALL);
        registry.setLevel(Level.ALL);
        loader.addHandler(handler);
        registry.addHandler(handler);
    }

    static LoaderWarnings install() {
        return new LoaderWarnings();
    }

    /** The loader's warnings: allocations that failed and were retried, or loads that failed outright. */
    List<String> allocationFailures() {
        return List.copyOf(failures);
    }

    /** The registry's "evicted ..." lines. */
    List<String> evictions() {
        return List.copyOf(evictions);
    }

    @Override
    public void close() {
        loader.removeHandler(handler);
        registry.removeHandler(handler);
        loader.setLevel(loaderLevel);
        registry.setLevel(registryLevel);
    }
}
