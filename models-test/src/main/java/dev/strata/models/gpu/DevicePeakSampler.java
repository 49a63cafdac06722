package dev.strata.models.gpu;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.LlamaBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples the used memory (total − free, as cudaMemGetInfo sees it) of one or more GPUs every 2 ms,
 * keeping each one's peak. One thread reads all of them, so a peak on either of two devices is seen.
 *
 * <pre>{@code
 * DevicePeakSampler s = new DevicePeakSampler(llama, List.of("CUDA0", "CUDA1"));
 * s.start(); ... s.stop();
 * s.peakUsed("CUDA1");
 * }</pre>
 */
final class DevicePeakSampler {
    private final LlamaBackend llama;
    private final List<String> devices;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Long> peaks = new ConcurrentHashMap<>();
    private Thread thread;

    DevicePeakSampler(LlamaBackend llama, String device) {
        this(llama, List.of(device));
    }

    DevicePeakSampler(LlamaBackend llama, List<String> devices) {
        this.llama = llama;
        this.devices = List.copyOf(devices);
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
        for (BackendDevice d : llama.devices()) {
            if (devices.contains(d.name())) {
                peaks.merge(d.name(), d.totalBytes() - d.freeBytes(), Math::max);
            }
        }
    }

    void stop() throws InterruptedException {
        sample();
        running.set(false);
        thread.join();
    }

    /** The peak of the first (or only) device. */
    long peakUsed() {
        return peakUsed(devices.get(0));
    }

    long peakUsed(String device) {
        return peaks.getOrDefault(device, 0L);
    }

    /** Every device's peak, in the order given. */
    Map<String, Long> peaks() {
        Map<String, Long> all = new LinkedHashMap<>();
        devices.forEach(d -> all.put(d, peakUsed(d)));
        return all;
    }
}
