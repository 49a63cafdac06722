package dev.strata.memory.plan;

import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import java.util.Objects;

/**
 * What the caller wants to run: the context (size, sequences, micro-batch, KV types, flash
 * attention), whether the context may shrink when nothing else fits, and the host's room.
 *
 * <pre>{@code
 * PlanRequest r = new PlanRequest(KvCacheParams.defaults().withContext(8192), false, 2048, CpuRepack.NONE, hostFree, true);
 * }</pre>
 *
 * @param context          the context request
 * @param contextMayShrink halve the context (not below {@code minimumContext}) when even the CPU cannot hold the model
 * @param minimumContext   smallest context a shrink may reach, in tokens
 * @param repack           what the CPU backend repacks (its buffers can be larger)
 * @param hostBytes        host RAM available for the CPU part, in bytes
 * @param mmap             weights on the CPU are mapped from the file: page cache the kernel can reclaim, so
 *                         they do not count against {@code hostBytes} (KV and compute buffers always do)
 */
public record PlanRequest(KvCacheParams context, boolean contextMayShrink, int minimumContext, CpuRepack repack,
                          long hostBytes, boolean mmap) {
    public PlanRequest {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(repack, "repack");
        if (minimumContext < 1 || hostBytes < 0) {
            throw new IllegalArgumentException("minimum context must be >= 1 and host bytes >= 0");
        }
    }
}
