package dev.strata.models.bench;

import dev.strata.runtime.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Strata's side of the benchmark: the tests llama-bench and llama-batched-bench run, through the runtime's
 * public API, each warmed up once and then timed {@link BenchSettings#reps()} times. Prompts are random token
 * ids, fresh for every run, as llama.cpp's tools make them (and so that no prompt cache can help).
 */
final class StrataBench {
    private final BenchSettings settings;
    private final StreamRunner runner;
    private final SplittableRandom random = new SplittableRandom(20240611);

    StrataBench(BenchSettings settings, StreamRunner runner) {
        this.settings = settings;
        this.runner = runner;
    }

    /**
     * tokens/s of the runs, their median, and what differed from the test as specified (empty when
     * nothing did).
     */
    record Measure(double median, List<Double> samples, String note) {}

    /**
     * tg: one stream, a one-token prompt, {@code genTokens} generated. As llama-bench's tg decodes
     * {@code genTokens} single tokens after no prompt: here the prompt's token is the first decode and the
     * last generated token is sampled but not decoded, so as many decodes, plus the sampling of each token.
     */
    Measure generation(Model model) {
        int n = settings.genTokens();
        return measure(i -> runner.run(model, List.of(tokens(model, 1)), n), StreamRunner.Timing::generatedTokens,
                t -> t.generatedTokens() == n ? "" : "stopped at end-of-generation after " + t.generatedTokens()
                        + " of " + n + " tokens (today's API cannot ignore it); tokens/s over those generated");
    }

    /** pp: one stream, a {@code promptTokens} prompt in one decode, then one token sampled (no further decode). */
    Measure promptProcessing(Model model) {
        int n = settings.promptTokens();
        return measure(i -> runner.run(model, List.of(tokens(model, n)), 1), StreamRunner.Timing::promptTokens,
                t -> t.promptTokens() == n ? "" : "the runtime counted " + t.promptTokens() + " prompt tokens");
    }

    /**
     * Aggregate throughput of {@code streams} concurrent requests of {@code streamPrompt} prompt tokens and
     * {@code streamGen} generated tokens, defined as llama-batched-bench's "speed": all prompt and generated
     * tokens over the wall time from the first submission to the last result. Empty when the runner cannot
     * run streams concurrently.
     */
    Optional<Measure> aggregate(Model model, int streams) {
        int per = settings.streamPrompt();
        int gen = settings.streamGen();
        try {
            return Optional.of(measure(i -> {
                List<int[]> prompts = new ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    prompts.add(tokens(model, per));
                }
                return runner.run(model, prompts, gen);
            }, t -> t.promptTokens() + t.generatedTokens(), t -> t.generatedTokens() == streams * gen ? ""
                    : "generated " + t.generatedTokens() + " of " + streams * gen + " tokens"));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private interface Check {
        String note(StreamRunner.Timing t);
    }

    /** One warm-up run, then {@code reps} timed ones; tokens/s counts the {@code counted} tokens of each run. */
    private Measure measure(IntFunction<StreamRunner.Timing> run, ToIntFunction<StreamRunner.Timing> counted,
                            Check check) {
        run.apply(-1);
        List<Double> samples = new ArrayList<>();
        String note = "";
        for (int i = 0; i < settings.reps(); i++) {
            StreamRunner.Timing t = run.apply(i);
            String n = check.note(t);
            note = n.isEmpty() ? note : n;
            samples.add(t.tokensPerSecond(counted.applyAsInt(t)));
        }
        return new Measure(LlamaCppTools.median(samples), List.copyOf(samples), note);
    }

    private int[] tokens(Model model, int n) {
        int vocab = model.info().vocabularySize();
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(vocab);
        }
        return t;
    }
}
