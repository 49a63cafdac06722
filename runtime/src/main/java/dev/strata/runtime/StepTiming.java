package dev.strata.runtime;

/**
 * Where a model's decode loop spent its time since load, summed over its steps: what tells a slow
 * generation's GPU time from the host work between two GPU passes (during which the GPU waits).
 *
 * <pre>{@code
 * StepTiming t = model.stepTiming();
 * System.out.printf("%.0f us host work per step, %.2f ms per generation step%n",
 *         t.hostNanosPerStep() / 1e3, t.generationNanosPerStep() / 1e6);
 * }</pre>
 *
 * @param steps           decode steps (one {@code llama_decode} each)
 * @param tokens          tokens decoded in those steps (prompt and generated)
 * @param decodeNanos     inside the decode call: graph build or reuse, inputs, kernel launches; on a GPU
 *                        the call returns before the GPU is done
 * @param sampleNanos     inside the sampler calls; the first of a step waits for the GPU to finish
 * @param otherNanos      the rest of the steps and the loop's work between two steps with sequences
 *                        running (batch building, delivery, stop strings, admission)
 * @param graphsReused    steps whose compute graph llama.cpp reused instead of building one (a reused
 *                        graph skips the build and keeps ggml-cuda's captured CUDA graph)
 * @param generationSteps steps that decoded one token per sequence and no prompt chunk: the steps
 *                        llama-batched-bench's generation phase is made of
 * @param generationNanos those steps' decode and sampling time
 */
public record StepTiming(long steps, long tokens, long decodeNanos, long sampleNanos, long otherNanos,
                         long graphsReused, long generationSteps, long generationNanos) {
    /** No steps. */
    public static final StepTiming NONE = new StepTiming(0, 0, 0, 0, 0, 0, 0, 0);

    /** Mean host time per step outside the decode and sampler calls, in nanoseconds; 0 before any step. */
    public double hostNanosPerStep() {
        return steps == 0 ? 0 : (double) otherNanos / steps;
    }

    /** Mean decode and sampling time of a generation-only step, in nanoseconds; 0 before any. */
    public double generationNanosPerStep() {
        return generationSteps == 0 ? 0 : (double) generationNanos / generationSteps;
    }

    /** This timing less an earlier one of the same model: what happened in between. */
    public StepTiming since(StepTiming earlier) {
        return new StepTiming(steps - earlier.steps, tokens - earlier.tokens, decodeNanos - earlier.decodeNanos,
                sampleNanos - earlier.sampleNanos, otherNanos - earlier.otherNanos, graphsReused - earlier.graphsReused,
                generationSteps - earlier.generationSteps, generationNanos - earlier.generationNanos);
    }

    /** Both stretches together (of one model or several): sums of every count. */
    public StepTiming plus(StepTiming other) {
        return new StepTiming(steps + other.steps, tokens + other.tokens, decodeNanos + other.decodeNanos,
                sampleNanos + other.sampleNanos, otherNanos + other.otherNanos, graphsReused + other.graphsReused,
                generationSteps + other.generationSteps, generationNanos + other.generationNanos);
    }
}
