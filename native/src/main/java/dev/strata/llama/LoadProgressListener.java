package dev.strata.llama;

/**
 * Told how far a model load has come, on the loading thread. Returning {@code false} cancels the
 * load, which then fails with {@link ModelLoadException}; an exception thrown here cancels it too
 * and reaches the caller of {@link LlamaModel#load} unchanged.
 *
 * <pre>{@code
 * LoadProgressListener bar = fraction -> { System.err.printf("\r%3.0f%%", fraction * 100); return true; };
 * }</pre>
 */
@FunctionalInterface
public interface LoadProgressListener {
    /** @param fraction 0.0 to 1.0 */
    boolean onProgress(float fraction);
}
