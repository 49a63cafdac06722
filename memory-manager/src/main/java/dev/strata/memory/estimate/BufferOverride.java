package dev.strata.memory.estimate;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A tensor buffer override (llama.cpp's {@code tensor_buft_overrides}): every tensor whose name the
 * pattern finds a match in goes to {@code device}, whatever its layer. llama.cpp tries the
 * overrides in order and takes the first that matches ({@code std::regex_search},
 * src/llama-model-loader.cpp, create_tensor); this uses Java's regex, which agrees with
 * ECMAScript on the patterns used for this (classes, alternation, escapes).
 *
 * <pre>{@code
 * BufferOverride expertsOnCpu = new BufferOverride("\\.ffn_(up|down|gate)_exps", "CPU");
 * expertsOnCpu.matches("blk.3.ffn_up_exps.weight");   // true
 * }</pre>
 *
 * <p>A value class rather than a record so that it compiles its pattern once: the planner tests every
 * tensor of a model against the overrides of every layout it tries.
 */
public final class BufferOverride {
    private final String pattern;
    private final String device;
    private final Pattern compiled;

    /**
     * @param pattern regex searched in tensor names
     * @param device  ggml device name: "CPU", "CUDA0", ...
     * @throws IllegalArgumentException if the pattern is empty or not a valid regex
     */
    public BufferOverride(String pattern, String device) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(device, "device");
        if (pattern.isEmpty() || device.isEmpty()) {
            throw new IllegalArgumentException("empty override pattern or device");
        }
        try {
            this.compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid override pattern '" + pattern + "': " + e.getDescription(), e);
        }
        this.pattern = pattern;
        this.device = device;
    }

    /** The regex, as given. */
    public String pattern() {
        return pattern;
    }

    /** The ggml device name matching tensors go to. */
    public String device() {
        return device;
    }

    /** Whether this override takes the tensor named {@code tensorName}. */
    public boolean matches(String tensorName) {
        return compiled.matcher(tensorName).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BufferOverride other && pattern.equals(other.pattern) && device.equals(other.device);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern, device);
    }

    @Override
    public String toString() {
        return "BufferOverride[pattern=" + pattern + ", device=" + device + "]";
    }
}
