package dev.strata.runtime.load;

import dev.strata.llama.ContextParams;
import dev.strata.llama.LlamaModel;
import dev.strata.llama.Pooling;
import dev.strata.runtime.LoadOptions;

/**
 * The context every load makes, planned or not: a unified KV cache that the model's sequences share
 * (one long request can use the whole context, finished ones leave reusable prefixes; a lone
 * sequence gets the faster split layout, see {@link #unifiedKv}) and the
 * micro-batch the plan assumed. An embedding model gets one micro-batch as large as its context,
 * since llama.cpp needs each input of a non-causal model in one micro-batch. A generation context gets
 * backend sampling when the options ask for it ({@link LoadOptions#backendSampling()}).
 */
public final class ContextLayout {
    private ContextLayout() {}

    /** The parameters for a context of {@code contextSize} tokens on {@code model}. */
    public static ContextParams forModel(LlamaModel model, LoadOptions options, int contextSize) {
        ContextParams p = ContextParams.defaults().withContextSize(contextSize)
                .withThreads(options.threads(), options.threads()).withKvUnified(unifiedKv(options.sequences()));
        if (pools(model)) {
            // llama.cpp 0.5.0 cannot reserve a BERT graph for 3 sequences (GGML_ASSERT); powers of two work
            int seqs = Integer.highestOneBit(options.sequences());
            return p.withEmbeddings(true, Pooling.UNSPECIFIED).withBatch(contextSize, contextSize).withSequences(seqs);
        }
        return p.withBatch(PlannedLoader.MICRO_BATCH, PlannedLoader.MICRO_BATCH).withSequences(options.sequences())
                .withBackendSampling(options.backendSampling());
    }

    /**
     * Whether a context of {@code sequences} gets llama.cpp's unified KV cache. Several sequences share
     * one (the decode loop counts and hands out its cells). One sequence has one stream either way,
     * and the same cells, but the split layout decodes faster: stories260K on 2 CPU threads made 11.9k
     * tokens/s split and 8.8k unified (KvLayoutBench); the 8B Q4_0 on the H100 about 2.5 % more
     * (docs/benchmarks.md). Both take the same bytes, so the plan does not change.
     */
    public static boolean unifiedKv(int sequences) {
        return sequences > 1;
    }

    /** Whether the GGUF declares a pooling type other than none: an embedding model. */
    public static boolean pools(LlamaModel model) {
        return model.metadata(model.info().architecture() + ".pooling_type")
                .map(v -> {
                    try {
                        return Integer.parseInt(v.trim()) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }).orElse(false);
    }
}
