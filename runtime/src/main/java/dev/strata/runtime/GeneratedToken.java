package dev.strata.runtime;

import java.util.Objects;
import java.util.Optional;

/**
 * One generated token, or text released at the end without a new token.
 *
 * <pre>{@code
 * try (TokenStream s = model.generate(GenerationRequest.of("Once upon a time").withLogprobs(2))) {
 *     s.forEachRemaining(t -> System.out.println(t.text() + " " + t.logprobs().map(lp -> lp.chosen().logprob())));
 * }
 * }</pre>
 *
 * @param id       token id; {@link #NO_TOKEN} for text held back until the end (an unfinished stop-string
 *                 prefix that never completed, or the last bytes of a character)
 * @param text     the text this token releases; empty while a multi-byte character is incomplete or the
 *                 text might still be the start of a stop string
 * @param logprobs the token's log-probability and the top alternatives, when the request asked for them
 *                 ({@link GenerationRequest#withLogprobs(int)}); empty otherwise and for {@link #NO_TOKEN}
 */
public record GeneratedToken(int id, String text, Optional<TokenLogprobs> logprobs) {
    /** The id of a final piece of text that no token of its own produced. */
    public static final int NO_TOKEN = -1;

    public GeneratedToken {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(logprobs, "logprobs");
    }

    /** Without log-probabilities. */
    public GeneratedToken(int id, String text) {
        this(id, text, Optional.empty());
    }
}
