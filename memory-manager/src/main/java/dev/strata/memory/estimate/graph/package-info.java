/**
 * llama.cpp's compute buffers, replayed in pure Java rather than estimated by formula.
 *
 * <p>Three steps mirror what llama.cpp v0.5.0 does when it creates a context:
 * <ol>
 *   <li>{@link dev.strata.memory.estimate.graph.TransformerGraph} builds the graph llama.cpp reserves
 *       for the largest micro-batch, tensor by tensor as each architecture's model code
 *       ({@code src/models/*.cpp}) builds it; {@link dev.strata.memory.estimate.graph.Graph} gives
 *       each operation ggml.c's result shape and strides and keeps {@code ggml_build_forward_expand}'s
 *       order;</li>
 *   <li>{@link dev.strata.memory.estimate.graph.GraphScheduler} splits it between GPUs and the CPU
 *       as {@code ggml_backend_sched} does (backend per operation, op offload, copies between
 *       backends, the CUDA backend's fusion dependencies);</li>
 *   <li>{@link dev.strata.memory.estimate.graph.ComputeAllocator} replays ggml-alloc over the result,
 *       one buffer per backend.</li>
 * </ol>
 * The sizes match llama.cpp's dry run to the byte (docs/memory-estimates.md). Callers use
 * {@link dev.strata.memory.estimate.ComputeEstimate}; this package is its machinery.
 *
 * <pre>{@code
 * Graph g = TransformerGraph.build(shape, new GraphParams(512, 4096, 0, true, GgmlType.F16, GgmlType.F16)
 *         .with(assignment));
 * Map<String, Long> perDevice = GraphScheduler.computeBuffers(g, List.of("CUDA0"));  // {CUDA0=..., CPU=...}
 * }</pre>
 */
package dev.strata.memory.estimate.graph;
