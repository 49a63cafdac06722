package dev.strata.llama;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One native pointer with exactly one owner: {@link #close()} frees it once (compare-and-set), any
 * use after that throws {@link IllegalStateException}, and a {@link Cleaner} only logs a leak, since
 * the garbage collector cannot see native memory and must not be trusted to free it.
 */
final class NativeHandle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(NativeHandle.class.getName());

    private final AtomicLong pointer;
    private final String what;
    private final LongConsumer free;
    private final Cleaner.Cleanable leakReport;

    NativeHandle(long pointer, String what, LongConsumer free) {
        if (pointer == 0) {
            throw new IllegalArgumentException("null " + what + " pointer");
        }
        this.pointer = new AtomicLong(pointer);
        this.what = what;
        this.free = free;
        AtomicLong shared = this.pointer;
        this.leakReport = CLEANER.register(this, () -> {
            if (shared.get() != 0) {
                LOG.log(System.Logger.Level.WARNING, what + " was never closed; its native memory leaked");
            }
        });
    }

    /** The live pointer; throws if closed. */
    long get() {
        long p = pointer.get();
        if (p == 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return p;
    }

    boolean isClosed() {
        return pointer.get() == 0;
    }

    @Override
    public void close() {
        long p = pointer.getAndSet(0);
        if (p != 0) {
            try {
                free.accept(p);
            } finally {
                leakReport.clean();
            }
        }
    }
}
