package dev.strata.memory.gguf;

import static dev.strata.memory.gguf.GgufFormatException.printable;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a GGUF header (spec: ggml/docs/gguf.md): magic, version, counts, metadata (delegated to
 * {@link GgufMetadataReader}), tensor infos, then checks where each tensor's data lies. Where the
 * spec is silent, validation follows ggml's gguf.cpp (UINT32 alignment, non-empty keys, int64
 * dimensions), so files llama.cpp would refuse fail here first. Comments after reads name the
 * spec's C type for the field.
 */
final class GgufReader {
    static final long DEFAULT_ALIGNMENT = 32; // GGUF_DEFAULT_ALIGNMENT
    static final String ALIGNMENT_KEY = "general.alignment";

    private static final int MAGIC = 0x4655_4747; // "GGUF" read as a little-endian uint32
    private static final int MIN_KV_BYTES = 8 + 4 + 1; // key length, value type, smallest value
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8; // name length, n_dims, one dim, type, offset
    private static final long TENSOR_COST = 160; // estimated heap per tensor info: record, list, map entry

    private final GgufInput in;
    private final GgufMetadataReader metadataReader;

    private GgufReader(GgufInput in, long maxHeapBytes) {
        this.in = in;
        this.metadataReader = new GgufMetadataReader(in, maxHeapBytes);
    }

    static GgufFile read(FileChannel channel, long maxHeapBytes) throws IOException {
        return new GgufReader(new GgufInput(channel), maxHeapBytes).read();
    }

    private GgufFile read() throws IOException {
        readMagic();
        int version = readVersion();
        long tensorCountAt = in.position();
        long tensorCount = in.i64("tensor_count"); // uint64_t tensor_count
        long kvCountAt = in.position();
        long kvCount = in.i64("metadata_kv_count"); // uint64_t metadata_kv_count
        in.checkCount(kvCount, MIN_KV_BYTES, "metadata_kv_count", kvCountAt);
        in.checkCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor_count", tensorCountAt);

        Map<String, GgufValue> metadata = metadataReader.readKeyValues(kvCount);
        long alignment = alignment(metadata);

        // Checked again now that the metadata's bytes are spoken for.
        in.checkCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor_count", tensorCountAt);
        if (tensorCount > Integer.MAX_VALUE - 8) {
            throw new GgufFormatException("tensor_count", tensorCountAt, tensorCount + " exceeds the Java list limit");
        }
        List<GgufTensorInfo> tensors = new ArrayList<>();
        List<Long> offsetFieldAt = new ArrayList<>();
        Map<String, Integer> indexByName = new HashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            // gguf_tensor_info_t tensor_infos[tensor_count]
            tensors.add(readTensorInfo((int) i, alignment, indexByName, offsetFieldAt));
        }

        long headerEnd = in.position();
        // uint8_t _padding[]: the data section starts at the next multiple of the alignment.
        long dataOffset = (headerEnd + alignment - 1) & -alignment;
        if (tensors.isEmpty()) {
            // No data to locate; keep dataOffset() <= fileSize() even when a writer dropped the padding.
            dataOffset = Math.min(dataOffset, in.fileSize());
        }
        long tensorBytes = checkPlacement(tensors, offsetFieldAt, dataOffset);
        return new GgufFile(version, alignment, dataOffset, in.fileSize(), metadata, tensors, tensorBytes);
    }

    private void readMagic() throws IOException {
        if (in.fileSize() < 4) {
            throw new NotGgufException("the file has only " + in.fileSize() + " bytes, too few for the magic \"GGUF\"");
        }
        int magic = in.i32("magic"); // uint32_t magic = "GGUF"
        if (magic != MAGIC) {
            throw new NotGgufException(String.format(
                    "expected \"GGUF\" (47 47 55 46) but found %02x %02x %02x %02x",
                    magic & 0xFF, magic >>> 8 & 0xFF, magic >>> 16 & 0xFF, magic >>> 24 & 0xFF));
        }
    }

    private int readVersion() throws IOException {
        long version = in.u32("version"); // uint32_t version
        if (version == 2 || version == 3) {
            return (int) version;
        }
        if (version == 1) {
            throw new UnsupportedGgufVersionException(version,
                    "GGUF version 1 is not supported (only 2 and 3); re-convert the model with a current llama.cpp");
        }
        if (version != 0 && (version & 0xFFFF) == 0) {
            throw new UnsupportedGgufVersionException(version, "version " + version
                    + " looks byte-swapped: a big-endian GGUF file? Only little-endian files are read");
        }
        throw new UnsupportedGgufVersionException(version, "GGUF version " + version + " is not supported (only 2 and 3)");
    }

    private long alignment(Map<String, GgufValue> metadata) throws GgufFormatException {
        GgufValue value = metadata.get(ALIGNMENT_KEY);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        String field = "metadata[" + ALIGNMENT_KEY + "]";
        long at = metadataReader.valueOffset(ALIGNMENT_KEY);
        if (value.type() != GgufValueType.UINT32) {
            // ggml insists on UINT32 too; reading another width would accept files llama.cpp refuses.
            throw new GgufFormatException(field, at, "must be a UINT32, found " + value.type());
        }
        long alignment = ((GgufValue.IntValue) value).value();
        if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
            throw new GgufFormatException(field, at, alignment + " is not a power of two");
        }
        return alignment;
    }

    private GgufTensorInfo readTensorInfo(int index, long alignment, Map<String, Integer> indexByName,
                                          List<Long> offsetFieldAt) throws IOException {
        String f = "tensor_infos[" + index + "]";
        long nameAt = in.position();
        String name = metadataReader.readString(f + ".name", -1); // gguf_string_t name
        Integer previous = indexByName.putIfAbsent(name, index);
        if (previous != null) {
            throw new GgufFormatException(f + ".name", nameAt,
                    "duplicate tensor name '" + printable(name) + "', already used by tensor_infos[" + previous + "]");
        }
        String what = " (tensor '" + printable(name) + "')";

        long nDimsAt = in.position();
        long nDims = in.u32(f + ".n_dims"); // uint32_t n_dims
        if (nDims < 1 || nDims > GgufTensorInfo.MAX_DIMS) {
            throw new GgufFormatException(f + ".n_dims", nDimsAt,
                    nDims + (nDims == 0 ? " is not at least 1" : " exceeds " + GgufTensorInfo.MAX_DIMS) + what);
        }
        Long[] dims = new Long[(int) nDims];
        long dimsAt = in.position();
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            String dimField = f + ".dimensions[" + d + "]";
            long at = in.position();
            long ne = in.i64(dimField); // uint64_t dimensions[n_dims]
            if (ne <= 0) {
                // ggml keeps ne as int64_t, so a set top bit is as unusable as zero.
                throw new GgufFormatException(dimField, at, Long.toUnsignedString(ne)
                        + (ne == 0 ? " is not positive" : " exceeds the int64 range ggml uses") + what);
            }
            try {
                elements = Math.multiplyExact(elements, ne);
            } catch (ArithmeticException e) {
                throw new GgufFormatException(dimField, at, "element count overflows int64" + what);
            }
            dims[d] = ne;
        }

        long typeAt = in.position();
        long typeId = in.u32(f + ".type"); // ggml_type type (uint32_t)
        GgmlType type = GgmlType.find(typeId).orElseThrow(() -> new GgufFormatException(
                f + ".type", typeAt, "unknown ggml type " + typeId + what));
        if (dims[0] % type.blockSize() != 0) {
            throw new GgufFormatException(f + ".dimensions[0]", dimsAt, "ne0 " + dims[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize() + what);
        }
        try {
            type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new GgufFormatException(f + ".type", typeAt, "byte size overflows int64" + what);
        }

        long offsetAt = in.position();
        long offset = in.i64(f + ".offset"); // uint64_t offset, relative to the data section
        if (offset < 0 || offset >= in.fileSize()) {
            throw new GgufFormatException(f + ".offset", offsetAt, Long.toUnsignedString(offset)
                    + " is beyond the end of the " + in.fileSize() + "-byte file" + what);
        }
        if (offset % alignment != 0) {
            throw new GgufFormatException(f + ".offset", offsetAt,
                    offset + " is not a multiple of the alignment " + alignment + what);
        }
        metadataReader.charge(TENSOR_COST, f, nameAt);
        offsetFieldAt.add(offsetAt);
        return new GgufTensorInfo(name, List.of(dims), type, offset);
    }

    /** Checks that every tensor's data lies inside the file; returns the sum of their sizes. */
    private long checkPlacement(List<GgufTensorInfo> tensors, List<Long> offsetFieldAt, long dataOffset)
            throws GgufFormatException {
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensorInfo t = tensors.get(i);
            String field = "tensor_infos[" + i + "].offset";
            long start = dataOffset + t.offset(); // both under fileSize + alignment: no overflow
            long end = start + t.byteSize(); // wraps negative on overflow, caught below
            if (end < start || end > in.fileSize()) {
                throw new GgufFormatException(field, offsetFieldAt.get(i), "data of tensor '" + printable(t.name())
                        + "' at [" + start + ", " + (end < start ? "overflow" : Long.toString(end))
                        + ") extends past the end of the " + in.fileSize() + "-byte file (data section starts at "
                        + dataOffset + ")");
            }
            try {
                total = Math.addExact(total, t.byteSize()); // overlapping tensors could add up past 2^63
            } catch (ArithmeticException e) {
                throw new GgufFormatException(field, offsetFieldAt.get(i), "total tensor bytes overflow int64");
            }
        }
        return total;
    }
}
