package dev.strata.memory.shape;

/**
 * The header's hyperparameters describe a model llama.cpp would refuse (with an assertion that ends a
 * load): a layer count outside 1..512, more experts than llama.cpp supports, more experts used than
 * there are. Strata refuses it here, before llama.cpp sees the file.
 *
 * <pre>{@code
 * try {
 *     ModelShape.of(GgufFile.read(path));
 * } catch (ModelShapeException e) {
 *     System.err.println(e.getMessage()); // "llama.block_count is 100000: llama.cpp loads 1 to 512 layers"
 * }
 * }</pre>
 */
public class ModelShapeException extends RuntimeException {
    public ModelShapeException(String message) {
        super(message);
    }

    public ModelShapeException(String message, Throwable cause) {
        super(message, cause);
    }
}
