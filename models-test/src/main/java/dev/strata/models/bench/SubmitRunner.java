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
        for (Generation g : generations) {
            GenerationResult r = g.result().join();
            if (r.finishReason() == FinishReason.ERROR) {
                throw new IllegalStateException("a benchmark request failed: " + r.errorMessage().orElse("?"));
            }
            promptTokens += r.promptTokens();
            cachedTokens += r.cachedTokens();
            generatedTokens += r.generatedTokens();
        }
        return new Timing(System.nanoTime() - start, promptTokens, cachedTokens, generatedTokens);
    }
}
