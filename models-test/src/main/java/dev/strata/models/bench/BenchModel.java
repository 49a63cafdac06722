package dev.strata.models.bench;

import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.GgufLayout;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the GPU benchmark's model: Meta-Llama-3-8B's shape ({@link Zoo#llama3_8b()}, Llama 3's tokenizer)
 * in Q4_0 as llama-quantize lays it out (output.weight in Q6_K), with seeded random weights: real compute
 * on every tensor, 4.3 GiB on disk. Written where it runs, never committed.
 *
 * <pre>{@code
 * java -Dstrata.llama.models.dir=vocab -cp ... dev.strata.models.bench.BenchModel /tmp/llama3-8b-q4_0.gguf [seed]
 * }</pre>
 */
public final class BenchModel {
    private BenchModel() {}

    /**
     * The model a diagnostic's arguments name: {@code args[1]} when it is a path, else (absent or {@code -})
     * this benchmark model, written now into the directory {@code args[0]} with seed 1.
     */
    static Path fromArgs(String[] args) throws Exception {
        if (args.length >= 2 && !args[1].equals("-")) {
            return Path.of(args[1]);
        }
        Path model = Path.of(args[0]).resolve("llama3-8b-q4_0.gguf");
        main(new String[] {model.toString(), "1"});
        return model;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        ModelSpec spec = Zoo.llama3_8b();
        long start = System.nanoTime();
        GgufLayout layout = SyntheticModels.write(out, spec, QuantMix.Q4_0, LlamaVocabs.locate(), DataMode.RANDOM, seed);
        System.out.printf(Locale.ROOT, "%s: %s Q4_0, random weights (seed %d), %.2f GiB, written in %.1f s%n", out,
                spec.name(), seed, Files.size(out) / (double) (1L << 30), (System.nanoTime() - start) / 1e9);
    }
}
