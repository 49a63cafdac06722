package dev.strata.models.bench;

import dev.strata.llama.Batch;
import dev.strata.llama.ContextParams;
import dev.strata.llama.DecodeStatus;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.ModelParams;
import dev.strata.llama.Sampler;
import dev.strata.llama.SamplingParams;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * llama.cpp's split and unified KV layouts for a context of one sequence, side by side in one process:
 * single-token generation (DecodeOverhead's bridge loop, greedy from the backend sampler) and one
 * 512-token prompt, each layout twice, alternating. The measurement behind {@code ContextLayout.unifiedKv}
 * (docs/benchmarks.md).
 *
 * <pre>{@code
 * java -cp http/target/strata.jar:models-test/target/classes dev.strata.models.bench.KvLayoutBench \
 *     ../shared/models/stories260K.gguf 2 [gpu-layers]
 * }</pre>
 */
public final class KvLayoutBench {
    private static final int PROMPT = 512;
    private static final int RUNS = 9;

    private KvLayoutBench() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int gpuLayers = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (LlamaModel m = LlamaModel.load(LlamaBackend.get(), file, ModelParams.defaults().withGpuLayers(gpuLayers), null)) {
            for (int round = 1; round <= 2; round++) {
                for (boolean unified : new boolean[] {false, true}) {
                    String layout = (unified ? "unified" : "split") + " KV, round " + round;
                    ContextParams cp = ContextParams.defaults().withContextSize(PROMPT + 1).withBatch(PROMPT, PROMPT)
                            .withThreads(threads, threads).withKvUnified(unified).withSequences(1).withBackendSampling(true);
                    try (LlamaContext c = LlamaContext.create(m, cp); Sampler s = Sampler.create(m, SamplingParams.greedy())) {
                        DecodeOverhead.report("tg128, " + layout, threads, DecodeOverhead.direct(c, s));
                        DecodeOverhead.report("pp" + PROMPT + ", " + layout, threads, prompt(c));
                    }
                }
            }
        }
    }

    /** tokens/s of one {@link #PROMPT}-token decode and its greedy token, {@link #RUNS} times after 3 warm-ups. */
    private static double[] prompt(LlamaContext c) {
        double[] tps = new double[RUNS];
        Batch b = new Batch(PROMPT);
        for (int r = -3; r < RUNS; r++) {
            c.clearMemory();
            b.clear();
            for (int i = 0; i < PROMPT; i++) {
                b.add(1 + (i * 7) % 500, i, 0, i == PROMPT - 1);
            }
            long t0 = System.nanoTime();
            if (c.decode(b) != DecodeStatus.OK) {
                throw new IllegalStateException("prompt decode failed");
            }
            Sampler.greedyTokens(c, new int[] {PROMPT - 1});
            if (r >= 0) {
                tps[r] = PROMPT / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return Arrays.copyOf(tps, RUNS);
    }
}
