package dev.strata.llama;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host or device buffer could not be allocated (weights, KV cache or compute buffers). Place fewer
 * layers on the device, or shrink the context.
 *
 * <p>Where llama.cpp's error lines (carried in the message) say which buffer failed, {@link #device()}
 * and {@link #requestedBytes()} tell it, so a loader can move the shortfall elsewhere:
 *
 * <pre>{@code
 * catch (AllocationFailedException e) {
 *     e.device();          // Optional["CUDA0"]: ggml's buffer-type name ("CPU", "CUDA_Host" for host buffers)
 *     e.requestedBytes();  // OptionalLong[2147483648]: the allocation that failed
 * }
 * }</pre>
 */
public class AllocationFailedException extends LlamaException {
    private static final long serialVersionUID = 1L;

    // The lines ggml and llama.cpp log for a failed buffer, most precise first:
    //   ggml-alloc.c:        "failed to allocate CUDA0 buffer of size 2147483648"
    //   ggml-cuda.cu:        "allocating 2048.00 MiB on device 0: cudaMalloc failed: out of memory"
    //   llama-model.cpp:     "unable to allocate CUDA0 buffer"
    private static final Pattern EXACT = Pattern.compile("failed to allocate (\\S+) buffer of size (\\d+)");
    private static final Pattern CUDA = Pattern.compile("allocating ([0-9.]+) MiB on device (\\d+): cudaMalloc failed");
    private static final Pattern NAMED = Pattern.compile("unable to allocate (\\S+) buffer");

    private final String device;
    private final long requestedBytes; // -1: not said

    public AllocationFailedException(String message) {
        this(message, null);
    }

    public AllocationFailedException(String message, Throwable cause) {
        super(message, cause);
        String dev = null;
        long bytes = -1;
        String text = message == null ? "" : message;
        Matcher m;
        if ((m = EXACT.matcher(text)).find()) {
            dev = m.group(1);
            bytes = parseLong(m.group(2));
        } else if ((m = CUDA.matcher(text)).find()) {
            dev = "CUDA" + m.group(2);
            bytes = (long) (Double.parseDouble(m.group(1)) * (1 << 20));
        }
        if (dev == null && (m = NAMED.matcher(text)).find()) {
            dev = m.group(1);
        }
        this.device = dev;
        this.requestedBytes = bytes;
    }

    /** ggml's name of the buffer type that failed ("CUDA0", "CPU", "CUDA_Host"), when llama.cpp logged it. */
    public Optional<String> device() {
        return Optional.ofNullable(device);
    }

    /** Bytes the failed allocation asked for, when llama.cpp logged them. */
    public OptionalLong requestedBytes() {
        return requestedBytes < 0 ? OptionalLong.empty() : OptionalLong.of(requestedBytes);
    }

    private static long parseLong(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
