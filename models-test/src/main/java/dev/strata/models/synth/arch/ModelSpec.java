package dev.strata.models.synth.arch;

import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything llama.cpp reads from a model's GGUF header except the tokenizer and the tensor types:
 * the architecture, its hyperparameter metadata (keys and GGUF value types exactly as llama.cpp's
 * {@code load_hparams} reads them) and its tensors (names and dims exactly as its
 * {@code load_arch_tensors} creates them). The tokenizer is borrowed from one of llama.cpp's
 * vocab-only GGUF files; a {@code QuantMix} gives the tensor types.
 *
 * <p>Built by one class per architecture family ({@link LlamaFamily}, {@link Qwen2}, {@link Gemma2},
 * ...), from the numbers of a checkpoint's {@code config.json}.
 *
 * <pre>{@code
 * ModelSpec spec = Qwen2.spec(new Qwen2.Config("qwen2.5-7b", 152064, 32768, 3584, 28, 18944, 28, 4, 1e6f, 1e-6f, false));
 * spec.blockCount();        // 28
 * spec.vocab();             // "qwen2": ggml-vocab-qwen2.gguf, padded to 152064 tokens when written
 * spec.parameterCount();    // 7_615_616_512
 * }</pre>
 *
 * @param name         {@code general.name}
 * @param architecture {@code general.architecture}, llama.cpp's name for it (LLM_ARCH_NAMES)
 * @param vocab        which {@code ggml-vocab-<vocab>.gguf} of llama.cpp's models/ lends the tokenizer
 * @param vocabSize    tokens of the model: the rows of {@code token_embd}; the borrowed tokenizer is
 *                     padded up to it the way convert_hf_to_gguf pads ({@code [PAD<id>]}, type UNUSED)
 * @param metadata     hyperparameter keys in writing order, full names ({@code llama.block_count})
 * @param tensors      in writing order; names unique
 */
public record ModelSpec(String name, String architecture, String vocab, int vocabSize,
                        Map<String, GgufValue> metadata, List<TensorSpec> tensors) {

    /** @throws IllegalArgumentException for empty names, a non-positive vocabulary or duplicate tensor names */
    public ModelSpec {
        requireText(name, "name");
        requireText(architecture, "architecture");
        requireText(vocab, "vocab");
        if (vocabSize <= 0) {
            throw new IllegalArgumentException(name + ": vocabSize must be positive");
        }
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
        Set<String> seen = new HashSet<>();
        for (TensorSpec t : tensors) {
            if (!seen.add(t.name())) {
                throw new IllegalArgumentException(name + ": duplicate tensor " + t.name());
            }
        }
    }

    /** Starts a spec of the given architecture; {@link Builder#u32} and friends prefix keys with it. */
    public static Builder builder(String name, String architecture, String vocab, int vocabSize) {
        return new Builder(name, architecture, vocab, vocabSize);
    }

    /** {@code <arch>.block_count}: n_layer. */
    public int blockCount() {
        return archInt("block_count").orElseThrow();
    }

    /** {@code <arch>.embedding_length}: n_embd. */
    public int embeddingLength() {
        return archInt("embedding_length").orElseThrow();
    }

    /** {@code <arch>.attention.head_count}: n_head. */
    public int headCount() {
        return archInt("attention.head_count").orElseThrow();
    }

    /** {@code <arch>.attention.head_count_kv}; n_head when absent, as llama.cpp defaults it. */
    public int headCountKv() {
        return archInt("attention.head_count_kv").orElse(headCount());
    }

    /** {@code <arch>.expert_count}; 0 for a dense model. */
    public int expertCount() {
        return archInt("expert_count").orElse(0);
    }

    /** {@code <arch>.expert_used_count}; 0 for a dense model. */
    public int expertUsedCount() {
        return archInt("expert_used_count").orElse(0);
    }

    /** Whether the model has no {@code output.weight}, so llama.cpp reuses {@code token_embd.weight}. */
    public boolean tiedEmbeddings() {
        return tensors.stream().noneMatch(t -> t.name().equals("output.weight"));
    }

    /** Number of weights over all tensors. */
    public long parameterCount() {
        return tensors.stream().mapToLong(TensorSpec::elementCount).sum();
    }

    /** The tensor of that name. */
    public Optional<TensorSpec> tensor(String tensorName) {
        return tensors.stream().filter(t -> t.name().equals(tensorName)).findFirst();
    }

    /** This spec with another {@code general.name}; everything else the same. */
    public ModelSpec withName(String newName) {
        return new ModelSpec(newName, architecture, vocab, vocabSize, metadata, tensors);
    }

    private Optional<Integer> archInt(String key) {
        GgufValue v = metadata.get(architecture + "." + key);
        return v instanceof GgufValue.IntValue i ? Optional.of((int) i.value()) : Optional.empty();
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    /**
     * Collects metadata and tensors in order. Typed puts use the GGUF type llama.cpp's
     * {@code get_key} demands for that kind of key: it rejects any other ("key ... has wrong type").
     *
     * <pre>{@code
     * ModelSpec spec = ModelSpec.builder("tiny", "llama", "llama-spm", 32000)
     *         .u32("block_count", 1).f32("rope.freq_base", 10000f)   // llama.block_count, llama.rope.freq_base
     *         .tensor("token_embd.weight", 256, 32000)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final String name;
        private final String architecture;
        private final String vocab;
        private final int vocabSize;
        private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
        private final List<TensorSpec> tensors = new ArrayList<>();

        private Builder(String name, String architecture, String vocab, int vocabSize) {
            this.name = name;
            this.architecture = architecture;
            this.vocab = vocab;
            this.vocabSize = vocabSize;
        }

        /** {@code <arch>.<key>} as a UINT32: sizes, counts, enums. */
        public Builder u32(String key, long value) {
            return put(architecture + "." + key, new GgufValue.IntValue(GgufValueType.UINT32, value));
        }

        /** {@code <arch>.<key>} as a FLOAT32: rope bases and factors, epsilons, softcaps, scales. */
        public Builder f32(String key, float value) {
            return put(architecture + "." + key, new GgufValue.FloatValue(GgufValueType.FLOAT32, value));
        }

        /** {@code <arch>.<key>} as a BOOL. */
        public Builder bool(String key, boolean value) {
            return put(architecture + "." + key, new GgufValue.BoolValue(value));
        }

        /** {@code <arch>.<key>} as a STRING, such as {@code rope.scaling.type}. */
        public Builder str(String key, String value) {
            return put(architecture + "." + key, new GgufValue.StringValue(value));
        }

        /** Any key, unprefixed, such as {@code tokenizer.ggml.token_type_count}. */
        public Builder put(String fullKey, GgufValue value) {
            metadata.put(Objects.requireNonNull(fullKey, "fullKey"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A tensor, dims ne0 first. */
        public Builder tensor(String tensorName, long... dims) {
            tensors.add(TensorSpec.of(tensorName, dims));
            return this;
        }

        /** A tensor of block {@code layer}: {@code blk(3, "attn_q.weight", ...)} is {@code blk.3.attn_q.weight}. */
        public Builder blk(int layer, String suffix, long... dims) {
            return tensor("blk." + layer + "." + suffix, dims);
        }

        public ModelSpec build() {
            return new ModelSpec(name, architecture, vocab, vocabSize, metadata, tensors);
        }
    }
}
