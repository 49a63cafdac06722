package dev.strata.memory.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** llama_context's sizing of n_ctx, n_ctx_seq, n_batch and n_ubatch (src/llama-context.cpp). */
class ContextSizeTest {

    @ParameterizedTest(name = "ctx {0}, seq {1}, batch {2}/{3}, unified {4}, causal {6} -> {7} / {8} per seq, batch {9}/{10}")
    @CsvSource(delimiter = '|', textBlock = """
              512 | 1 | 2048 | 512 | false | 4096 | true  |   512 |   512 |  512 | 512 | 1
             1000 | 3 | 2048 | 512 | false | 4096 | true  |  1536 |   512 | 1000 | 512 | 3
             1000 | 3 | 2048 | 512 | true  | 4096 | true  |  1024 |  1024 | 1000 | 512 | 1
                0 | 1 | 2048 | 512 | false | 4096 | true  |  4096 |  4096 | 2048 | 512 | 1
              100 | 1 | 2048 | 512 | false | 4096 | true  |   256 |   256 |  100 | 100 | 1
              100 | 1 | 2048 | 512 | false | 4096 | false |   256 |   256 | 2048 | 512 | 1
             4096 | 1 | 1024 |   0 | false | 4096 | true  |  4096 |  4096 | 1024 | 1024 | 1
            32768 | 4 |  512 | 512 | false | 4096 | true  | 32768 |  8192 |  512 | 512 | 4
              512 | 4 |  512 | 512 | false | 4096 | true  |  1024 |   256 |  512 | 512 | 4
            """)
    void padsLikeLlamaCpp(int ctx, int seq, int batch, int ubatch, boolean unified, int train, boolean causal,
                          int nCtx, int perSeq, int nBatch, int nUbatch, int streams) {
        KvCacheParams p = KvCacheParams.defaults().withContext(ctx).withSequences(seq).withBatch(batch, ubatch)
                .withUnified(unified);
        assertThat(ContextSize.of(p, train, causal)).isEqualTo(new ContextSize(nCtx, perSeq, nBatch, nUbatch, streams));
    }

    @Test
    void aZeroContextNeedsATrainingContext() {
        assertThatThrownBy(() -> ContextSize.of(KvCacheParams.defaults().withContext(0), 0, true))
                .hasMessageContaining("cannot both be zero");
    }
}
