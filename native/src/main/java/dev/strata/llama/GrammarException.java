package dev.strata.llama;

/**
 * A GBNF grammar given to a sampler does not parse.
 */
public class GrammarException extends LlamaException {
    private static final long serialVersionUID = 1L;

    public GrammarException(String message) {
        super(message);
    }

    public GrammarException(String message, Throwable cause) {
        super(message, cause);
    }
}
