package dev.strata.models.synth;

import dev.strata.memory.gguf.GgufTensorInfo;
import java.util.List;

/**
 * Where everything landed in a GGUF file that {@link GgufWriter} wrote.
 *
 * <pre>{@code
 * GgufLayout layout = writer.write(path, DataMode.SPARSE, 0);
 * assert Files.size(path) == layout.fileSize();
 * }</pre>
 *
 * @param alignment   alignment of the data section and of every tensor in it
 * @param dataOffset  absolute file offset of the data section
 * @param dataBytes   size of the data section, padding after each tensor included
 * @param tensorBytes sum of the tensors' own sizes, padding excluded (as {@code GgufFile.tensorBytes()})
 * @param tensors     tensor infos in file order, offsets relative to {@code dataOffset}
 */
public record GgufLayout(long alignment, long dataOffset, long dataBytes, long tensorBytes, List<GgufTensorInfo> tensors) {
    public GgufLayout {
        tensors = List.copyOf(tensors);
    }

    /** Length of the whole file. */
    public long fileSize() {
        return dataOffset + dataBytes;
    }
}
