package dev.strata.memory.shape;

/**
 * Bytes of one repeating layer's weights, by group, as stored in the file (no buffer padding).
 *
 * <pre>{@code
 * LayerWeights l = shape.layers().get(0);
 * long movableToCpu = l.experts();            // what an "experts on CPU" override moves
 * long stays = l.total() - l.experts();
 * }</pre>
 *
 * @param layer         layer index, 0-based
 * @param attention     {@link TensorGroup#ATTENTION}
 * @param ffn           {@link TensorGroup#FFN}, the dense feed-forward
 * @param experts       {@link TensorGroup#EXPERTS}, routed experts ({@code *_exps})
 * @param sharedExperts {@link TensorGroup#SHARED_EXPERTS} ({@code *_shexp})
 * @param normsOther    norms, router and the rest
 * @param loaded        false for a multi-token-prediction layer llama.cpp does not allocate
 */
public record LayerWeights(int layer, long attention, long ffn, long experts, long sharedExperts, long normsOther,
                           boolean loaded) {

    public LayerWeights {
        if (layer < 0 || attention < 0 || ffn < 0 || experts < 0 || sharedExperts < 0 || normsOther < 0) {
            throw new IllegalArgumentException("negative layer index or size in layer " + layer);
        }
    }

    /** All weights of the layer. */
    public long total() {
        return attention + ffn + experts + sharedExperts + normsOther;
    }

    /** This layer plus {@code bytes} in {@code group}; groups that are not per-layer count as other. */
    LayerWeights plus(TensorGroup group, long bytes) {
        return switch (group) {
            case ATTENTION -> new LayerWeights(layer, attention + bytes, ffn, experts, sharedExperts, normsOther, loaded);
            case FFN -> new LayerWeights(layer, attention, ffn + bytes, experts, sharedExperts, normsOther, loaded);
            case EXPERTS -> new LayerWeights(layer, attention, ffn, experts + bytes, sharedExperts, normsOther, loaded);
            case SHARED_EXPERTS -> new LayerWeights(layer, attention, ffn, experts, sharedExperts + bytes, normsOther, loaded);
            default -> new LayerWeights(layer, attention, ffn, experts, sharedExperts, normsOther + bytes, loaded);
        };
    }
}
