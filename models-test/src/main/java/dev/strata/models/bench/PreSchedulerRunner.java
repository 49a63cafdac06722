package dev.strata.models.bench;

import dev.strata.llama.SamplingParams;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.Model;
import dev.strata.runtime.TokenStream;
import java.util.List;

/**
 * TODO(scheduler): delete once main has {@code Model.submit}; {@link SubmitRunner} replaces it.
 *
 * <p>The benchmark on today's API: one stream at a time through {@link Model#generate}, which takes text,
 * not tokens, and stops at end-of-generation. A prompt of n tokens is written as the model's BOS followed by
 * n - 1 repetitions of one word that is one token ("the" in both SentencePiece and BPE vocabularies); the
 * count is checked against what the runtime tokenized. The token ids differ from the random ones
 * llama.cpp's tools use, which changes nothing in a dense model's compute.
 */
final class PreSchedulerRunner implements StreamRunner {
    @Override
    public Timing run(Model model, List<int[]> prompts, int maxTokens) {
        if (prompts.size() != 1) {
            throw new UnsupportedOperationException("concurrent streams need Model.submit (the continuous-batching"
                    + " scheduler), which this branch does not have yet");
        }
        int tokens = prompts.get(0).length;
        String text = tokens == 1 ? "" : "the" + " the".repeat(tokens - 2);
        long start = System.nanoTime();
        GenerationResult r;
        try (TokenStream stream = model.generate(GenerationRequest.of(text).withMaxTokens(maxTokens)
                .withSampling(SamplingParams.greedy()))) {
            stream.forEachRemaining(t -> { });
            r = stream.result();
        }
        long wall = System.nanoTime() - start;
        if (r.promptTokens() != tokens) {
            throw new IllegalStateException("prompt of " + tokens + " tokens wanted, the runtime tokenized "
                    + r.promptTokens() + " (does this vocabulary add a BOS and keep \" the\" one token?)");
        }
        return new Timing(wall, r.promptTokens(), r.generatedTokens());
    }
}
