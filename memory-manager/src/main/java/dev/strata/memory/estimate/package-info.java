/**
 * Pure estimators of what llama.cpp v0.5.0 allocates per device: weights ({@link
 * dev.strata.memory.estimate.WeightEstimate}) and KV cache ({@link
 * dev.strata.memory.estimate.KvCacheEstimate}) for a {@link dev.strata.memory.shape.ModelShape} and a
 * {@link dev.strata.memory.estimate.LayerAssignment}. Each rule names the llama.cpp function it
 * follows; on a CPU they agree with llama.cpp's dry run to the byte.
 *
 * <pre>{@code
 * ModelShape shape = ModelShape.of(GgufFile.read(path));
 * LayerAssignment where = LayerAssignment.llamaCpp(shape.layerCount(), -1, List.of("CUDA0"), List.of(1f), List.of());
 * long weights = WeightEstimate.of(shape, where, CpuRepack.NONE).bytesOn("CUDA0");
 * long kv = KvCacheEstimate.of(shape, where, KvCacheParams.defaults().withContext(8192)).bytesOn("CUDA0");
 * }</pre>
 */
package dev.strata.memory.estimate;
