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
 * @param pattern regex searched in tensor names
 * @param device  ggml device name: "CPU", "CUDA0", ...
 */
public record BufferOverride(String pattern, String device) {

    /** @throws IllegalArgumentException if the pattern is empty or not a valid regex */
    public BufferOverride {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(device, "device");
        if (pattern.isEmpty() || device.isEmpty()) {
            throw new IllegalArgumentException("empty override pattern or device");
        }
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid override pattern '" + pattern + "': " + e.getDescription(), e);
        }
    }

    /** Whether this override takes the tensor named {@code tensorName}. */
    public boolean matches(String tensorName) {
        return Pattern.compile(pattern).matcher(tensorName).find();
    }
}
