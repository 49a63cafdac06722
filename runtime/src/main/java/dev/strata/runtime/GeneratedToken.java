package dev.strata.runtime;

/**
 * One generated token, or text released at the end without a new token.
 *
 * @param id   token id; {@link #NO_TOKEN} for text held back until the end (an unfinished stop-string
 *             prefix that never completed, or the last bytes of a character)
 * @param text the text this token releases; empty while a multi-byte character is incomplete or the
 *             text might still be the start of a stop string
 */
public record GeneratedToken(int id, String text) {
    /** The id of a final piece of text that no token of its own produced. */
    public static final int NO_TOKEN = -1;
}
