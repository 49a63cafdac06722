package dev.strata.llama;

/**
 * A host or device buffer could not be allocated (weights, KV cache or compute buffers). Place fewer layers on the device, or shrink the context.
 */
public class AllocationFailedException extends LlamaException {
    private static final long serialVersionUID = 1L;

    public AllocationFailedException(String message) {
        super(message);
    }

    public AllocationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
