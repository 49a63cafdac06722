package dev.strata.models.synth;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufArray;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Writes GGUF v3 files: metadata, tensor infos, and either a sparse hole or seeded random data
 * where the tensor data goes (see {@link DataMode}).
 *
 * <p>Metadata values are the reader's own {@link GgufValue}s, so a real file's metadata copies
 * over as is ({@link #copyMetadata}); arrays can also be built from elements ({@link #putArray},
 * {@link #putStrings}, ...). Keys keep insertion order; putting a key again replaces its value in
 * place. Tensor data is laid out the way ggml requires it when it reads a file: in the order the
 * tensors were added, each at the next multiple of {@code general.alignment} (default 32).
 *
 * <pre>{@code
 * GgufLayout layout = new GgufWriter()
 *         .putString("general.architecture", "llama")
 *         .putStrings("tokenizer.ggml.tokens", List.of("<unk>", "<s>", "</s>"))
 *         .addTensor("output_norm.weight", GgmlType.F32, RandomFill.NORM, 256)
 *         .addTensor("token_embd.weight", GgmlType.Q4_0, 256, 3)
 *         .write(Path.of("model.gguf"), DataMode.RANDOM, 42);
 * }</pre>
 *
 * <p>Not thread-safe. Writing streams through fixed buffers: no tensor is ever held in memory.
 */
public final class GgufWriter {
    /** {@code GGUF_DEFAULT_ALIGNMENT}: the data alignment when {@code general.alignment} is absent. */
    public static final long DEFAULT_ALIGNMENT = 32;
    /** The metadata key that sets the data alignment; ggml accepts it only as a UINT32 power of two. */
    public static final String ALIGNMENT_KEY = "general.alignment";

    // GGML_MAX_NAME is 64 bytes including the terminating NUL; ggml rejects longer names.
    private static final int MAX_TENSOR_NAME_BYTES = 63;
    private static final int MAGIC = 0x4655_4747; // "GGUF" read as a little-endian uint32
    private static final int VERSION = 3;

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    /** A metadata value: one of the reader's values, or an array built here from its elements. */
    private sealed interface Entry permits Single, Built {}

    private record Single(GgufValue value) implements Entry {}

    private record Built(GgufValueType elementType, List<GgufValue> elements) implements Entry {}

    /** A tensor as added: offset 0 until {@link #place} knows the alignment. */
    private record Tensor(GgufTensorInfo info, RandomFill fill) {}

    /**
     * Sets {@code key} to any value, {@link GgufArray}s from a {@link GgufFile} included.
     *
     * @throws IllegalArgumentException for an empty key, or a {@value #ALIGNMENT_KEY} that is not a UINT32 power of two
     */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(value, "value");
        checkKey(key);
        if (key.equals(ALIGNMENT_KEY)) {
            checkAlignment(value);
        }
        metadata.put(key, new Single(value));
        return this;
    }

    /** A STRING. */
    public GgufWriter putString(String key, String value) {
        return put(key, new GgufValue.StringValue(value));
    }

    /** A UINT32, the type llama.cpp expects for hyperparameters such as {@code llama.block_count}. */
    public GgufWriter putUint32(String key, long value) {
        return put(key, new GgufValue.IntValue(GgufValueType.UINT32, value));
    }

    /** An INT32. */
    public GgufWriter putInt32(String key, int value) {
        return put(key, new GgufValue.IntValue(GgufValueType.INT32, value));
    }

    /** A UINT64; negative values stand for 2^63 and above, as in {@link GgufValue.IntValue}. */
    public GgufWriter putUint64(String key, long value) {
        return put(key, new GgufValue.IntValue(GgufValueType.UINT64, value));
    }

    /** A FLOAT32, the type llama.cpp expects for {@code rope.freq_base} and the norm epsilons. */
    public GgufWriter putFloat32(String key, float value) {
        return put(key, new GgufValue.FloatValue(GgufValueType.FLOAT32, value));
    }

    /** A BOOL. */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, new GgufValue.BoolValue(value));
    }

    /**
     * Sets {@code key} to an array of the given element type. Elements are scalar values of exactly
     * that type, or {@link GgufArray}s for an {@code ARRAY} of arrays.
     *
     * <pre>{@code
     * writer.putArray("x.sizes", GgufValueType.UINT16, List.of(
     *         new GgufValue.IntValue(GgufValueType.UINT16, 7), new GgufValue.IntValue(GgufValueType.UINT16, 9)));
     * }</pre>
     *
     * @throws IllegalArgumentException if an element is of another type
     */
    public GgufWriter putArray(String key, GgufValueType elementType, List<? extends GgufValue> elements) {
        Objects.requireNonNull(elementType, "elementType");
        checkKey(key);
        if (key.equals(ALIGNMENT_KEY)) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a UINT32, not an array");
        }
        List<GgufValue> copy = List.copyOf(elements);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).type() != elementType) {
                throw new IllegalArgumentException(key + "[" + i + "] is " + copy.get(i).type() + " in an array of " + elementType);
            }
        }
        metadata.put(key, new Built(elementType, copy));
        return this;
    }

    /** An array of STRING, such as {@code tokenizer.ggml.tokens}. */
    public GgufWriter putStrings(String key, List<String> values) {
        return putArray(key, GgufValueType.STRING, values.stream().map(GgufValue.StringValue::new).toList());
    }

    /** An array of INT32, such as {@code tokenizer.ggml.token_type}. */
    public GgufWriter putInt32s(String key, int... values) {
        List<GgufValue> elements = new ArrayList<>(values.length);
        for (int v : values) {
            elements.add(new GgufValue.IntValue(GgufValueType.INT32, v));
        }
        return putArray(key, GgufValueType.INT32, elements);
    }

    /** An array of FLOAT32, such as {@code tokenizer.ggml.scores}. */
    public GgufWriter putFloat32s(String key, float... values) {
        List<GgufValue> elements = new ArrayList<>(values.length);
        for (float v : values) {
            elements.add(new GgufValue.FloatValue(GgufValueType.FLOAT32, v));
        }
        return putArray(key, GgufValueType.FLOAT32, elements);
    }

    /**
     * Copies the metadata whose keys pass {@code keys}, in the source's order.
     *
     * <pre>{@code
     * writer.copyMetadata(GgufFile.read(tokenizerModel), key -> key.startsWith("tokenizer."));
     * }</pre>
     */
    public GgufWriter copyMetadata(GgufFile source, Predicate<String> keys) {
        source.metadata().forEach((key, value) -> {
            if (keys.test(key)) {
                put(key, value);
            }
        });
        return this;
    }

    /** Adds a tensor filled with {@link RandomFill#WEIGHTS} in {@link DataMode#RANDOM}; dims are ne0 first. */
    public GgufWriter addTensor(String name, GgmlType type, long... dims) {
        return addTensor(name, type, RandomFill.WEIGHTS, dims);
    }

    /**
     * Adds a tensor; its data follows the previous tensor's.
     *
     * @param dims 1 to 4 dimensions, ne0 (fastest varying) first; ne0 a multiple of the type's block size
     * @throws IllegalArgumentException for a duplicate or over-long name, or dimensions ggml would reject
     */
    public GgufWriter addTensor(String name, GgmlType type, RandomFill fill, long... dims) {
        Objects.requireNonNull(fill, "fill");
        GgufTensorInfo info = GgufTensorInfo.of(name, type, 0, dims); // validates dims against the type
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' must be 1 to " + MAX_TENSOR_NAME_BYTES + " bytes");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        tensors.add(new Tensor(info, fill));
        return this;
    }

    /** The data alignment: {@value #ALIGNMENT_KEY} if put, else {@value #DEFAULT_ALIGNMENT}. */
    public long alignment() {
        return metadata.get(ALIGNMENT_KEY) instanceof Single s
                ? ((GgufValue.IntValue) s.value()).value()
                : DEFAULT_ALIGNMENT;
    }

    /**
     * Writes the file, replacing any file at {@code out}; on failure the partial file is deleted.
     *
     * @param mode a sparse hole or random data where the tensor data goes
     * @param seed seed of the random data; the same seed and tensors give the same bytes
     * @throws IllegalArgumentException in {@link DataMode#RANDOM}, if a tensor's type is none of F32, F16,
     *                                  BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K to Q6_K, IQ4_NL, IQ4_XS,
     *                                  TQ1_0, TQ2_0; nothing is written then
     */
    public GgufLayout write(Path out, DataMode mode, long seed) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(mode, "mode");
        long alignment = alignment();
        List<Tensor> placed = place(alignment);
        if (mode == DataMode.RANDOM) {
            for (Tensor t : placed) {
                if (!RandomTensorData.supports(t.info().type())) {
                    throw RandomTensorData.unsupported(t.info());
                }
            }
        }
        long tensorBytes = 0;
        long dataBytes = 0;
        for (Tensor t : placed) {
            tensorBytes += t.info().byteSize();
            dataBytes = t.info().offset() + padded(t.info().byteSize(), alignment);
        }

        boolean done = false;
        try (RandomAccessFile file = new RandomAccessFile(out.toFile(), "rw")) {
            // An old file's bytes would otherwise show through the hole of a sparse write.
            file.setLength(0);
            GgufEncoder enc = new GgufEncoder(file.getChannel());
            writeHeader(enc, placed);
            enc.pad(alignment);
            long dataOffset = enc.position();
            if (mode == DataMode.RANDOM) {
                RandomTensorData data = new RandomTensorData(seed);
                for (Tensor t : placed) {
                    data.write(t.info(), t.fill(), enc);
                    enc.pad(alignment); // dataOffset is aligned, so file-relative padding is data-relative too
                }
            }
            enc.flush();
            // Sparse: extends the file with a hole. Random: already this long.
            file.setLength(dataOffset + dataBytes);
            done = true;
            return new GgufLayout(alignment, dataOffset, dataBytes, tensorBytes,
                    placed.stream().map(Tensor::info).toList());
        } finally {
            if (!done) {
                Files.deleteIfExists(out);
            }
        }
    }

    private void writeHeader(GgufEncoder enc, List<Tensor> placed) throws IOException {
        enc.u32(MAGIC);
        enc.u32(VERSION);
        enc.u64(placed.size());
        enc.u64(metadata.size());
        for (Map.Entry<String, Entry> kv : metadata.entrySet()) {
            enc.string(kv.getKey());
            if (kv.getValue() instanceof Single s) {
                enc.u32(s.value().type().id());
                enc.value(s.value());
            } else {
                Built b = (Built) kv.getValue();
                enc.u32(GgufValueType.ARRAY.id());
                enc.array(b.elementType(), b.elements());
            }
        }
        for (Tensor t : placed) {
            GgufTensorInfo info = t.info();
            enc.string(info.name());
            enc.u32(info.nDims());
            for (long d : info.dims()) {
                enc.u64(d);
            }
            enc.u32(info.type().id());
            enc.u64(info.offset());
        }
    }

    /** The tensors with their offsets: each one right after the previous, padded (ggml checks exactly this). */
    private List<Tensor> place(long alignment) {
        List<Tensor> placed = new ArrayList<>(tensors.size());
        long offset = 0;
        for (Tensor t : tensors) {
            GgufTensorInfo i = t.info();
            placed.add(new Tensor(new GgufTensorInfo(i.name(), i.dims(), i.type(), offset), t.fill()));
            offset = Math.addExact(offset, padded(i.byteSize(), alignment));
        }
        return placed;
    }

    private static long padded(long bytes, long alignment) {
        return Math.addExact(bytes, alignment - 1) / alignment * alignment;
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("metadata key must not be empty");
        }
    }

    private static void checkAlignment(GgufValue value) {
        if (!(value instanceof GgufValue.IntValue i) || i.type() != GgufValueType.UINT32
                || i.value() == 0 || Long.bitCount(i.value()) != 1) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a UINT32 power of two, not " + value.type() + " " + value);
        }
    }
}
