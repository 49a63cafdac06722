package dev.strata.runtime;

import java.util.List;
import java.util.Objects;

/**
 * The log-probabilities of one generated token, when the request asked for them
 * ({@link GenerationRequest#withLogprobs(int)}). They come from the raw logits of the step: the
 * softmax over the whole vocabulary before penalties, grammar and temperature (llama.cpp's server
 * with {@code post_sampling_probs} off; OpenAI's meaning). A sampled or grammar-forced token can
 * therefore rank below the top alternatives; a greedy one is always {@code top().get(0)}.
 *
 * <pre>{@code
 * GenerationResult r = model.submit(GenerationRequest.of("Once upon a time").withLogprobs(5)).result().join();
 * for (TokenLogprobs lp : r.logprobs()) {
 *     System.out.println(lp.chosen().text() + " " + lp.chosen().logprob() + " " + lp.top());
 * }
 * }</pre>
 *
 * @param chosen the token generated
 * @param top    the most likely tokens, best first (ties: lower id first); as many as asked for, 0 to 20
 */
public record TokenLogprobs(TokenLogprob chosen, List<TokenLogprob> top) {
    public TokenLogprobs {
        Objects.requireNonNull(chosen, "chosen");
        top = List.copyOf(top);
    }
}
