package dev.strata.llama;

/**
 * llama-batched-bench's loop timed inside C++ ({@link TestHooks#timeBatched}): the prompt phase, then
 * each generation step of one token per stream.
 *
 * <pre>{@code
 * BatchedTiming t = LlamaBackend.get().testHooks().timeBatched(context, 32, 128, 128);
 * System.out.printf("prompts %.0f ms, %.2f ms per step%n", t.promptNanos() / 1e6, t.generation().meanStepNanos() / 1e6);
 * }</pre>
 *
 * @param promptNanos every stream's prompt, decoded in batch-sized views without waiting between them
 * @param generation  the generation steps (graphs reused counts only those)
 */
public record BatchedTiming(long promptNanos, GenerationTiming generation) {}
