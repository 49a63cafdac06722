package dev.strata.models.gpu;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.LlamaBackend;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Samples one GPU's used memory (total − free, as cudaMemGetInfo sees it) every 2 ms, keeping the peak. */
final class DevicePeakSampler {
    private final LlamaBackend llama;
    private final String device;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong peak = new AtomicLong();
    private Thread thread;

    DevicePeakSampler(LlamaBackend llama, String device) {
        this.llama = llama;
        this.device = device;
    }

    static BackendDevice device(LlamaBackend llama, String name) {
        return llama.devices().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + ": is the cuda variant loaded?"));
    }

    void start() {
        thread = new Thread(() -> {
            while (running.get()) {
                sample();
                LockSupport.parkNanos(2_000_000);
            }
        }, "peak-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        BackendDevice d = device(llama, device);
        peak.accumulateAndGet(d.totalBytes() - d.freeBytes(), Math::max);
    }

    void stop() throws InterruptedException {
        sample();
        running.set(false);
        thread.join();
    }

    long peakUsed() {
        return peak.get();
    }
}
