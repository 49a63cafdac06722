package dev.strata.runtime;

/**
 * Where a model's decode loop spent its time since load, summed over its steps: what tells a slow
 * generation's GPU time from the host work between two GPU passes (during which the GPU waits).
 *
 * <pre>{@code
 * StepTiming t = model.stepTiming();
 * System.out.printf("%.0f us host work per step%n", t.hostNanosPerStep() / 1e3);
 * }</pre>
 *
 * @param steps        decode steps (one {@code llama_decode} each)
 * @param tokens       tokens decoded in those steps (prompt and generated)
 * @param decodeNanos  inside the decode call: graph build or reuse, inputs, kernel launches; on a GPU
 *                     the call returns before the GPU is done
 * @param sampleNanos  inside the sampler calls; the first of a step waits for the GPU to finish
 * @param otherNanos   the rest of the steps and the loop's work between two steps with sequences
 *                     running (batch building, delivery, stop strings, admission)
 */
public record StepTiming(long steps, long tokens, long decodeNanos, long sampleNanos, long otherNanos) {
    /** Mean host time per step outside the decode and sampler calls, in nanoseconds; 0 before any step. */
    public double hostNanosPerStep() {
        return steps == 0 ? 0 : (double) otherNanos / steps;
    }

    /** This timing less an earlier one of the same model: what happened in between. */
    public StepTiming since(StepTiming earlier) {
        return new StepTiming(steps - earlier.steps, tokens - earlier.tokens, decodeNanos - earlier.decodeNanos,
                sampleNanos - earlier.sampleNanos, otherNanos - earlier.otherNanos);
    }
}
