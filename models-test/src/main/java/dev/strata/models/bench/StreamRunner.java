package dev.strata.models.bench;

import dev.strata.runtime.Model;
import java.util.List;

/**
 * Runs prompts on a model, all at once, and times them: the one place the benchmark calls the runtime's
 * generation API.
 */
interface StreamRunner {
    /**
     * Submits every prompt at once and waits for all of them; each generates exactly {@code maxTokens}
     * tokens greedily, ignoring end-of-generation.
    
     */
    Timing run(Model model, List<int[]> prompts, int maxTokens);

    /**
     * @param wallNanos       from the first submission to the last result
     * @param promptTokens    prompt tokens of all streams, as the runtime counted them
     * @param cachedTokens    of those, how many came from the runtime's prefix cache instead of being computed
     * @param generatedTokens generated tokens of all streams
     * @param waitNanos       summed over the streams, from submission until the decode loop first put the stream
     *                        in a step (time to first token less prompt time)
     * @param tailNanos       from the last stream's last token to the caller holding every result
     */
    record Timing(long wallNanos, int promptTokens, int cachedTokens, int generatedTokens, long waitNanos, long tailNanos) {
        double tokensPerSecond(int tokens) {
            return tokens * 1e9 / wallNanos;
        }
    }
}
