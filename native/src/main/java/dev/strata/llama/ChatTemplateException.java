package dev.strata.llama;

/**
 * The model's chat template (Jinja) could not be applied to the messages.
 */
public class ChatTemplateException extends LlamaException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
