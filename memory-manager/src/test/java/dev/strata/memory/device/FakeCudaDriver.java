package dev.strata.memory.device;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A CUDA driver with devices and failures set by the test. */
final class FakeCudaDriver implements CudaDriver {

    /** One fake device. */
    record Gpu(String name, byte[] uuid, String pciBusId, long totalBytes, long freeBytes) {
    }

    private final List<Gpu> gpus = new ArrayList<>();
    private final Map<String, RuntimeException> failures = new HashMap<>();
    private Error linkage;
    private int calls;

    FakeCudaDriver add(Gpu gpu) {
        gpus.add(gpu);
        return this;
    }

    /** {@code call} is {@code init}, {@code deviceCount} or {@code freeBytes:1} (method:ordinal). */
    FakeCudaDriver failing(String call, RuntimeException e) {
        failures.put(call, e);
        return this;
    }

    /** Every call throws this, as JCuda does without libcuda.so.1. */
    FakeCudaDriver unlinked(Error e) {
        linkage = e;
        return this;
    }

    int calls() {
        return calls;
    }

    private void enter(String call) {
        calls++;
        if (linkage != null) {
            throw linkage;
        }
        RuntimeException e = failures.get(call);
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void init() {
        enter("init");
    }

    @Override
    public int deviceCount() {
        enter("deviceCount");
        return gpus.size();
    }

    @Override
    public String name(int ordinal) {
        enter("name:" + ordinal);
        return gpus.get(ordinal).name();
    }

    @Override
    public byte[] uuid(int ordinal) {
        enter("uuid:" + ordinal);
        return gpus.get(ordinal).uuid();
    }

    @Override
    public String pciBusId(int ordinal) {
        enter("pciBusId:" + ordinal);
        return gpus.get(ordinal).pciBusId();
    }

    @Override
    public long totalBytes(int ordinal) {
        enter("totalBytes:" + ordinal);
        return gpus.get(ordinal).totalBytes();
    }

    @Override
    public long freeBytes(int ordinal) {
        enter("freeBytes:" + ordinal);
        return gpus.get(ordinal).freeBytes();
    }
}
