package dev.strata.memory.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * The header of a GGUF model file: metadata and tensor layout, without the tensor data.
 *
 * <p>{@link #read(Path)} reads only the header through one small buffer, so it is fast on a
 * many-GB or sparse file, and treats the file as untrusted: every malformed or hostile header ends
 * in a {@link GgufFormatException} naming the field and byte offset. The result is immutable.
 *
 * <pre>{@code
 * GgufFile gguf = GgufFile.read(Path.of("model.gguf"));
 * String arch = gguf.architecture();                        // "llama"
 * long layers = gguf.getLong(arch + ".block_count");        // any integer type
 * long weightBytes = gguf.tensorBytes();
 * GgufTensorInfo emb = gguf.tensor("token_embd.weight");
 * }</pre>
 *
 * <p>Typed getters throw {@link NoSuchElementException} for a missing key and
 * {@link IllegalStateException} for a value of another type; the {@code find} variants return
 * empty for a missing key but still throw on a type mismatch, which is a real error, not absence.
 */
public final class GgufFile {
    /**
     * Default cap on the estimated heap taken by the decoded header. Real headers, 260k-token
     * vocabularies included, take tens of MB; the cap stops a sparse file from declaring gigabytes
     * of metadata that its size alone would allow.
     */
    public static final long DEFAULT_MAX_HEADER_HEAP_BYTES = 256L << 20;

    private final int version;
    private final long alignment;
    private final long dataOffset;
    private final long fileSize;
    private final Map<String, GgufValue> metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private final long tensorBytes;

    GgufFile(int version, long alignment, long dataOffset, long fileSize, Map<String, GgufValue> metadata,
             List<GgufTensorInfo> tensors, long tensorBytes) {
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.fileSize = fileSize;
        this.metadata = metadata; // already an unmodifiable, ordered map
        this.tensors = List.copyOf(tensors);
        Map<String, GgufTensorInfo> byName = new HashMap<>();
        for (GgufTensorInfo t : this.tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = byName;
        this.tensorBytes = tensorBytes;
    }

    /**
     * Reads the header of a GGUF file, with the default heap cap.
     *
     * @throws NotGgufException                if the file does not start with "GGUF"
     * @throws UnsupportedGgufVersionException if the version is not 2 or 3
     * @throws GgufFormatException             if the header is malformed in any other way
     * @throws IOException                     if the file cannot be read at all
     */
    public static GgufFile read(Path path) throws IOException {
        return read(path, DEFAULT_MAX_HEADER_HEAP_BYTES);
    }

    /**
     * Reads the header of a GGUF file, failing with a {@link GgufFormatException} once the decoded
     * header would take more than about {@code maxHeaderHeapBytes} of heap.
     *
     * @throws IllegalArgumentException if {@code maxHeaderHeapBytes} is not positive
     */
    public static GgufFile read(Path path, long maxHeaderHeapBytes) throws IOException {
        Objects.requireNonNull(path, "path");
        if (maxHeaderHeapBytes <= 0) {
            throw new IllegalArgumentException("maxHeaderHeapBytes must be positive: " + maxHeaderHeapBytes);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return GgufReader.read(channel, maxHeaderHeapBytes);
        }
    }

    /** GGUF format version, 2 or 3. */
    public int version() {
        return version;
    }

    /** Alignment of tensor data: {@code general.alignment}, or 32 when absent. A power of two. */
    public long alignment() {
        return alignment;
    }

    /** Absolute file offset where tensor data starts; tensor offsets are relative to it. */
    public long dataOffset() {
        return dataOffset;
    }

    /** File size in bytes when it was read. */
    public long fileSize() {
        return fileSize;
    }

    /** All metadata in file order; unmodifiable. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensor infos in file order; unmodifiable. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** Sum of {@link GgufTensorInfo#byteSize()} over all tensors, padding excluded. */
    public long tensorBytes() {
        return tensorBytes;
    }

    /** The tensor with this name; throws {@link NoSuchElementException} if there is none. */
    public GgufTensorInfo tensor(String name) {
        return findTensor(name).orElseThrow(() -> new NoSuchElementException("no tensor named '" + name + "'"));
    }

    /** The tensor with this name, if any. */
    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /** {@code general.architecture}, such as "llama" or "bert"; throws if absent. */
    public String architecture() {
        return getString("general.architecture");
    }

    /** Whether the metadata has this key. */
    public boolean containsKey(String key) {
        return metadata.containsKey(key);
    }

    /** The value for {@code key}, of any type. */
    public GgufValue get(String key) {
        return find(key).orElseThrow(() -> new NoSuchElementException("no metadata key '" + key + "'"));
    }

    /** The value for {@code key}, of any type, if present. */
    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** A STRING value. */
    public String getString(String key) {
        return findString(key).orElseThrow(() -> missing(key));
    }

    /** A STRING value, if present. */
    public Optional<String> findString(String key) {
        return find(key).map(v -> {
            if (v instanceof GgufValue.StringValue s) {
                return s.value();
            }
            throw mismatch(key, v, "a STRING");
        });
    }

    /** A value of any integer type; a UINT64 of 2^63 or more throws {@link ArithmeticException}. */
    public long getLong(String key) {
        return findLong(key).orElseThrow(() -> missing(key));
    }

    /** A value of any integer type, if present. */
    public Optional<Long> findLong(String key) {
        return find(key).map(v -> {
            if (v instanceof GgufValue.IntValue i) {
                return i.asLong();
            }
            throw mismatch(key, v, "an integer");
        });
    }

    /** A value of any integer type that fits an int; otherwise {@link ArithmeticException}. */
    public int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    /** A value of any integer type that fits an int, if present. */
    public Optional<Integer> findInt(String key) {
        return findLong(key).map(Math::toIntExact);
    }

    /** A FLOAT32 or FLOAT64 value, or an integer widened to double. */
    public double getDouble(String key) {
        return findDouble(key).orElseThrow(() -> missing(key));
    }

    /** A FLOAT32 or FLOAT64 value, or an integer widened to double, if present. */
    public Optional<Double> findDouble(String key) {
        return find(key).map(v -> {
            if (v instanceof GgufValue.FloatValue f) {
                return f.value();
            }
            if (v instanceof GgufValue.IntValue i) {
                return i.type() == GgufValueType.UINT64 && i.value() < 0
                        ? Double.parseDouble(Long.toUnsignedString(i.value()))
                        : (double) i.value();
            }
            throw mismatch(key, v, "a number");
        });
    }

    /** A BOOL value. */
    public boolean getBoolean(String key) {
        return findBoolean(key).orElseThrow(() -> missing(key));
    }

    /** A BOOL value, if present. */
    public Optional<Boolean> findBoolean(String key) {
        return find(key).map(v -> {
            if (v instanceof GgufValue.BoolValue b) {
                return b.value();
            }
            throw mismatch(key, v, "a BOOL");
        });
    }

    /** An ARRAY value. */
    public GgufArray getArray(String key) {
        return findArray(key).orElseThrow(() -> missing(key));
    }

    /** An ARRAY value, if present. */
    public Optional<GgufArray> findArray(String key) {
        return find(key).map(v -> {
            if (v instanceof GgufArray a) {
                return a;
            }
            throw mismatch(key, v, "an ARRAY");
        });
    }

    private static NoSuchElementException missing(String key) {
        return new NoSuchElementException("no metadata key '" + key + "'");
    }

    private static IllegalStateException mismatch(String key, GgufValue v, String expected) {
        return new IllegalStateException("metadata '" + key + "' is " + v.type() + ", not " + expected);
    }

    @Override
    public String toString() {
        String arch = find("general.architecture").filter(v -> v instanceof GgufValue.StringValue)
                .map(v -> ((GgufValue.StringValue) v).value()).orElse("?");
        return "GgufFile[v" + version + ", " + arch + ", "
                + metadata.size() + " keys, " + tensors.size() + " tensors, " + tensorBytes
                + " tensor bytes, data at " + dataOffset + " of " + fileSize + "]";
    }
}
