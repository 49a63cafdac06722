package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgufArray;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code <arch>.*} hyperparameters the way llama.cpp's {@code llama_model_loader::get_key}
 * and {@code get_key_or_arr} do (src/llama-model-loader.cpp): a per-layer key may be one scalar
 * for every layer or an array with one entry per layer. Problems a loader would reject become
 * warnings; the estimate goes on with what it can read.
 */
final class Hparams {
    private final GgufFile gguf;
    private final String prefix;
    private final List<String> warnings;

    Hparams(GgufFile gguf, String arch, List<String> warnings) {
        this.gguf = gguf;
        this.prefix = arch + ".";
        this.warnings = warnings;
    }

    /** {@code <arch>.<key>} as an unsigned 32-bit value, if present as a scalar integer. */
    Optional<Integer> uint(String key) {
        Optional<GgufValue> v = gguf.find(prefix + key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get() instanceof GgufValue.IntValue i && i.value() >= 0 && i.value() <= Integer.MAX_VALUE) {
            return Optional.of((int) i.value());
        }
        warnings.add(prefix + key + " is " + v.get().type() + " " + v.get() + ", not a 32-bit count; ignored");
        return Optional.empty();
    }

    /** {@code <arch>.<key>} or {@code fallback}. */
    int uint(String key, int fallback) {
        return uint(key).orElse(fallback);
    }

    /** {@code <arch>.<key>} as a BOOL, if present. */
    Optional<Boolean> bool(String key) {
        Optional<GgufValue> v = gguf.find(prefix + key);
        if (v.isPresent() && v.get() instanceof GgufValue.BoolValue b) {
            return Optional.of(b.value());
        }
        v.ifPresent(other -> warnings.add(prefix + key + " is " + other.type() + ", not a BOOL; ignored"));
        return Optional.empty();
    }

    /** Whether {@code <arch>.<key>} is present at all. */
    boolean has(String key) {
        return gguf.containsKey(prefix + key);
    }

    /**
     * {@code <arch>.<key>} per layer ({@code get_key_or_arr}): a scalar fills every layer, an array
     * must have {@code layers} entries; absent leaves {@code defaults}.
     */
    int[] perLayer(String key, int layers, int[] defaults) {
        int[] out = Arrays.copyOf(defaults, layers);
        Optional<GgufValue> v = gguf.find(prefix + key);
        if (v.isEmpty()) {
            return out;
        }
        if (v.get() instanceof GgufArray a) {
            if (a.size() != layers) {
                warnings.add(prefix + key + " has " + a.size() + " entries for " + layers
                        + " layers; llama.cpp rejects this file (\"wrong array length\")");
            }
            for (int i = 0; i < Math.min(layers, a.size()); i++) {
                out[i] = (int) element(a, i);
            }
            return out;
        }
        uint(key).ifPresent(value -> Arrays.fill(out, value));
        return out;
    }

    /**
     * {@code <arch>.<key>} if it is an array ({@code get_arr}): elements as ints, booleans as 0/1;
     * empty when absent or a scalar.
     */
    Optional<int[]> array(String key) {
        Optional<GgufValue> v = gguf.find(prefix + key);
        if (v.isEmpty() || !(v.get() instanceof GgufArray a)) {
            return Optional.empty();
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) element(a, i);
        }
        return Optional.of(out);
    }

    private long element(GgufArray a, int i) {
        if (a.elementType() == GgufValueType.BOOL) {
            return a.getBoolean(i) ? 1 : 0;
        }
        try {
            return a.getLong(i);
        } catch (IllegalStateException | ArithmeticException e) {
            warnings.add("an element of a " + a.elementType() + " array is not a count: " + e.getMessage());
            return 0;
        }
    }
}
