package dev.strata.models.bench;

import dev.strata.runtime.Model;
import dev.strata.runtime.StepTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Strata's side of the benchmark: the tests llama-bench and llama-batched-bench run, through the runtime's
 * public API, each warmed up (three runs and two seconds at least) and then timed {@link BenchSettings#reps()} times. Prompts are random token
 * ids, fresh for every run, as llama.cpp's tools make them (and so that no prompt cache can help).
 */
final class StrataBench {
    private final BenchSettings settings;
    private final StreamRunner runner;
    private final SplittableRandom random = new SplittableRandom(20240611);
    static final int WARM_UP_RUNS = 3;
    static final long WARM_UP_NANOS = 2_000_000_000L;

    StrataBench(BenchSettings settings, StreamRunner runner) {
        this.settings = settings;
        this.runner = runner;
    }

    /**
     * tokens/s of the runs, their median, what differed from the test as specified (empty when
     * nothing did), and the decode loop's step timing summed over the timed runs.
     */
    record Measure(double median, List<Double> samples, String note, StepTiming steps, double waitMillis, double tailMillis) {
        /** The timed runs of several rounds as one measure. */
        static Measure of(List<Measure> rounds) {
            List<Double> all = rounds.stream().flatMap(m -> m.samples().stream()).toList();
            String notes = String.join("; ", rounds.stream().map(Measure::note).filter(n -> !n.isEmpty()).distinct().toList());
            StepTiming t = StepTiming.NONE;
            for (Measure m : rounds) {
                t = t.plus(m.steps());
            }
            double runs = Math.max(1, all.size());
            return new Measure(LlamaCppTools.median(all), all, notes, t,
                    rounds.stream().mapToDouble(m -> m.waitMillis() * m.samples().size()).sum() / runs,
                    rounds.stream().mapToDouble(m -> m.tailMillis() * m.samples().size()).sum() / runs);
        }
    }

    /**
     * tg: one stream, a one-token prompt, {@code genTokens} generated. As llama-bench's tg decodes
     * {@code genTokens} single tokens after no prompt: here the prompt's token is the first decode and the
     * last generated token is sampled but not decoded, so as many decodes, plus the sampling of each token.
     */
    Measure generation(Model model) {
        int n = settings.genTokens();
        return measure(model, i -> runner.run(model, List.of(tokens(model, 1)), n), StreamRunner.Timing::generatedTokens,
                t -> t.generatedTokens() == n ? "" : "generated " + t.generatedTokens() + " of " + n + " tokens");
    }

    /** pp: one stream, a {@code promptTokens} prompt in one decode, then one token sampled (no further decode). */
    Measure promptProcessing(Model model) {
        int n = settings.promptTokens();
        return measure(model, i -> runner.run(model, List.of(tokens(model, n)), 1), StreamRunner.Timing::promptTokens,
                t -> t.promptTokens() == n ? "" : "the runtime counted " + t.promptTokens() + " prompt tokens");
    }

    /**
     * Aggregate throughput of {@code streams} concurrent requests of {@code streamPrompt} prompt tokens and
     * {@code streamGen} generated tokens, defined as llama-batched-bench's "speed": all prompt and generated
     * tokens over the wall time from the first submission to the last result. The first token of each stream
     * is sampled from its prompt's logits, so the streams need one decode step fewer than batched-bench's
     * {@code streamGen}: a difference under 1% of the generation time at 128 tokens.
     */
    Measure aggregate(Model model, int streams) {
        int per = settings.streamPrompt();
        int gen = settings.streamGen();
        return measure(model, i -> {
            List<int[]> prompts = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                prompts.add(tokens(model, per));
            }
            return runner.run(model, prompts, gen);
        }, t -> t.promptTokens() + t.generatedTokens(), t -> t.generatedTokens() == streams * gen ? ""
                : "generated " + t.generatedTokens() + " of " + streams * gen + " tokens");
    }

    private interface Check {
        String note(StreamRunner.Timing t);
    }

    /**
     * Warm-up runs (at least {@link #WARM_UP_RUNS}, and for at least {@link #WARM_UP_NANOS}), then {@code reps}
     * timed ones; tokens/s counts the {@code counted} tokens of each run. The warm-up is longer than
     * llama-bench's single run because the JVM compiles the decode loop's Java code while it runs: a
     * server is measured in its steady state, not while its JIT is still at work.
     */
    private Measure measure(Model model, IntFunction<StreamRunner.Timing> run, ToIntFunction<StreamRunner.Timing> counted,
                            Check check) {
        long start = System.nanoTime();
        for (int w = 0; w < WARM_UP_RUNS || System.nanoTime() - start < WARM_UP_NANOS; w++) {
            run.apply(-1 - w);
        }
        List<Double> samples = new ArrayList<>();
        String note = "";
        StepTiming before = model.stepTiming();
        long wait = 0;
        long tail = 0;
        for (int i = 0; i < settings.reps(); i++) {
            StreamRunner.Timing t = run.apply(i);
            String cached = t.cachedTokens() > 0 ? t.cachedTokens() + " of " + t.promptTokens()
                    + " prompt tokens came from the prefix cache (random prompts sharing a first token)" : "";
            String n = String.join("; ", java.util.stream.Stream.of(cached, check.note(t)).filter(x -> !x.isEmpty()).toList());
            note = n.isEmpty() ? note : n;
            samples.add(t.tokensPerSecond(counted.applyAsInt(t)));
            wait += t.waitNanos();
            tail += t.tailNanos();
        }
        int n = Math.max(1, settings.reps());
        return new Measure(LlamaCppTools.median(samples), List.copyOf(samples), note, model.stepTiming().since(before),
                wait / 1e6 / n, tail / 1e6 / n);
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
