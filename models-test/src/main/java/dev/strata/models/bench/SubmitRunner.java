package dev.strata.models.bench;

import dev.strata.llama.SamplingParams;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.Generation;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the streams through {@link Model#submit}: all requests are queued at once and the model's decode loop
 * batches them, as a server's clients would; greedy, end-of-generation ignored, so each stream generates
 * exactly its {@code maxTokens}.
 */
final class SubmitRunner implements StreamRunner {
    @Override
    public Timing run(Model model, List<int[]> prompts, int maxTokens) {
        long start = System.nanoTime();
        List<Generation> generations = new ArrayList<>(prompts.size());
        for (int[] prompt : prompts) {
            generations.add(model.submit(GenerationRequest.ofTokens(prompt).withMaxTokens(maxTokens)
                    .withSampling(SamplingParams.greedy()).withIgnoreEos(true)));
        }
        int promptTokens = 0;
        int cachedTokens = 0;
        int generatedTokens = 0;
        double waitMillis = 0;
        double lastTokenMillis = 0; // after start
        for (Generation g : generations) {
            GenerationResult r = g.result().join();
            waitMillis += Math.max(0, r.timeToFirstTokenMillis() - r.promptMillis());
            lastTokenMillis = Math.max(lastTokenMillis, r.timeToFirstTokenMillis() + r.generationMillis());
            if (r.finishReason() == FinishReason.ERROR) {
                throw new IllegalStateException("a benchmark request failed: " + r.errorMessage().orElse("?"));
            }
            promptTokens += r.promptTokens();
            cachedTokens += r.cachedTokens();
            generatedTokens += r.generatedTokens();
        }
        long wall = System.nanoTime() - start;
        // submission times are within microseconds of start: the last token's time after start is close enough
        return new Timing(wall, promptTokens, cachedTokens, generatedTokens, Math.round(waitMillis * 1e6),
                Math.max(0, wall - Math.round(lastTokenMillis * 1e6)));
    }
}
