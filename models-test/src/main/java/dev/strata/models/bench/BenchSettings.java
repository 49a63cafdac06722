package dev.strata.models.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One benchmark run's settings, the same for llama.cpp's tools and for Strata.
 *
 * @param model          the GGUF file both sides load
 * @param threads        CPU threads for generation and for batches (llama-bench {@code -t}, Strata {@code withThreads})
 * @param gpuLayers      layers on the GPU: 0 = none, -1 = all (llama.cpp tools get {@code -ngl 999})
 * @param flashAttention llama.cpp's {@code -fa} value: {@code auto}, {@code on} or {@code off}; Strata's contexts use auto
 * @param batch          tokens per llama_decode call ({@code -b}); Strata's engine uses 512
 * @param microBatch     tokens per graph evaluation ({@code -ub}); Strata's engine uses 512
 * @param kvUnified      one KV buffer for all sequences ({@code -kvu}), as Strata's contexts are made
 * @param reps           timed repetitions per test; the report shows their median
 * @param genTokens      tokens of the single-stream generation test (llama-bench {@code -n}, tg128)
 * @param promptTokens   tokens of the prompt-processing test (llama-bench {@code -p}, pp512)
 * @param streams        concurrent streams of the aggregate tests (llama-batched-bench {@code -npl})
 * @param streamPrompt   prompt tokens per stream (llama-batched-bench {@code -npp})
 * @param streamGen      generated tokens per stream (llama-batched-bench {@code -ntg})
 */
public record BenchSettings(Path model, int threads, int gpuLayers, String flashAttention, int batch, int microBatch,
                            boolean kvUnified, int reps, int genTokens, int promptTokens, List<Integer> streams,
                            int streamPrompt, int streamGen) {
    public BenchSettings {
        Objects.requireNonNull(model, "model");
        streams = List.copyOf(streams);
        if (threads < 1 || reps < 1 || genTokens < 1 || promptTokens < 1 || streamPrompt < 1 || streamGen < 1) {
            throw new IllegalArgumentException("threads, reps and token counts must be >= 1");
        }
        if (!List.of("auto", "on", "off").contains(flashAttention)) {
            throw new IllegalArgumentException("flash attention must be auto, on or off, not " + flashAttention);
        }
    }

    /** The context the aggregate tests need: every stream's prompt and generation (batched-bench's n_ctx_req). */
    public int streamContext() {
        return maxStreams() * (streamPrompt + streamGen);
    }

    public int maxStreams() {
        return streams.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /** {@code -ngl} for llama.cpp's tools: all layers spelled as a large count. */
    String llamaGpuLayers() {
        return Integer.toString(gpuLayers < 0 ? 999 : gpuLayers);
    }
}
