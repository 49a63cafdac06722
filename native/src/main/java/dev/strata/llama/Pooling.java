package dev.strata.llama;

/** How token embeddings become one vector per sequence (llama_pooling_type). */
public enum Pooling {
    /** The model's own choice (from its GGUF). */
    UNSPECIFIED(-1), NONE(0), MEAN(1), CLS(2), LAST(3), RANK(4);

    final int value;

    Pooling(int value) {
        this.value = value;
    }

    static Pooling fromNative(int v) {
        for (Pooling p : values()) {
            if (p.value == v) {
                return p;
            }
        }
        return UNSPECIFIED;
    }
}
