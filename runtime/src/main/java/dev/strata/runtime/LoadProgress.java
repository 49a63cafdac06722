package dev.strata.runtime;

import dev.strata.llama.LoadProgressListener;

/**
 * Hears one model load from start to end: its progress (as {@link LoadProgressListener}) and, through
 * {@link #close()}, that it ended, loaded or failed. A progress bar on a terminal, log lines elsewhere.
 * A {@link ModelRegistry} asks its watcher ({@link ModelRegistry#watchLoads}) for one per load and
 * closes it when the load ends.
 *
 * <pre>{@code
 * engine.registry().watchLoads(name -> new LoadProgress() {
 *     public boolean onProgress(float fraction) { System.err.printf("\r%s %3.0f%%", name, fraction * 100); return true; }
 *     public void close() { System.err.println(); }
 * });
 * }</pre>
 */
public interface LoadProgress extends LoadProgressListener, AutoCloseable {
    /** Hears nothing. */
    LoadProgress NONE = new LoadProgress() {
        @Override
        public boolean onProgress(float fraction) {
            return true;
        }

        @Override
        public void close() {}
    };

    /** The load ended (loaded, failed or cancelled); called once, on the loading thread. */
    @Override
    void close();
}
