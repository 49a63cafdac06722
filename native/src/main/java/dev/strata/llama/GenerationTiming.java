package dev.strata.llama;

/**
 * A generation loop timed step by step inside C++ ({@link TestHooks#timeGeneration}).
 *
 * <pre>{@code
 * GenerationTiming t = LlamaBackend.get().testHooks().timeGeneration(context, 128, true);
 * System.out.printf("%.1f t/s, %.0f us waiting per token%n", t.tokensPerSecond(), t.meanWaitNanos() / 1e3);
 * }</pre>
 *
 * @param decodeNanos  per step, the time inside {@code llama_decode}
 * @param waitNanos    per step, the time from its return until the next token was known
 * @param graphsReused steps whose compute graph llama.cpp reused instead of building it
 */
public record GenerationTiming(long[] decodeNanos, long[] waitNanos, int graphsReused) {
    public GenerationTiming {
        if (decodeNanos.length != waitNanos.length) {
            throw new IllegalArgumentException("one decode and one wait time per step");
        }
        decodeNanos = decodeNanos.clone();
        waitNanos = waitNanos.clone();
    }

    public int steps() {
        return decodeNanos.length;
    }

    public double tokensPerSecond() {
        long total = 0;
        for (int i = 0; i < steps(); i++) {
            total += decodeNanos[i] + waitNanos[i];
        }
        return steps() / (total / 1e9);
    }

    public double meanDecodeNanos() {
        return java.util.Arrays.stream(decodeNanos).average().orElse(0);
    }

    public double meanWaitNanos() {
        return java.util.Arrays.stream(waitNanos).average().orElse(0);
    }

    /** Mean nanoseconds of a whole step: inside the decode plus waiting for its result. */
    public double meanStepNanos() {
        return meanDecodeNanos() + meanWaitNanos();
    }
}
