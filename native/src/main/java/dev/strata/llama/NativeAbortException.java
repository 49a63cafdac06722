package dev.strata.llama;

/**
 * llama.cpp hit an internal assertion (GGML_ABORT) on the calling thread. The JVM survives, but the model or context involved may be inconsistent: close it.
 */
public class NativeAbortException extends LlamaException {
    private static final long serialVersionUID = 1L;

    public NativeAbortException(String message) {
        super(message);
    }

    public NativeAbortException(String message, Throwable cause) {
        super(message, cause);
    }
}
