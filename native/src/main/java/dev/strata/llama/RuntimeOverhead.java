package dev.strata.llama;

import java.nio.file.Path;
import java.util.List;

/**
 * What a GPU holds for a model beyond llama.cpp's own memory breakdown: the CUDA context and the
 * libraries' state (cuBLAS handles and workspaces, memory pools grown by the first large batch).
 * llama.cpp's dry run leaves it out; a plan must add it. It depends on the device, driver and
 * build, not on the model, so it is measured once per device with any small model: device use
 * before anything is loaded and after a load with every layer on the device and one decode at the
 * largest micro-batch, less what the breakdown accounts for.
 *
 * <p>Measure before other models are loaded in this process, and with nothing else starting on
 * the device meanwhile: the figure is a difference of free memory.
 *
 * <pre>{@code
 * RuntimeOverhead o = RuntimeOverhead.measure(LlamaBackend.get(), Path.of("stories260K.gguf"), "CUDA0");
 * o.contextBytes();   // in use by this process before any model: the CUDA context (~527 MiB on an H100)
 * o.runtimeBytes();   // added by a warmed-up model beyond its breakdown (~107 MiB)
 * }</pre>
 *
 * @param device       ggml device name
 * @param contextBytes device memory in use before any model was loaded (this process's CUDA context
 *                     and anything else already on the device)
 * @param runtimeBytes device memory a warmed-up model uses beyond llama.cpp's breakdown
 */
public record RuntimeOverhead(String device, long contextBytes, long runtimeBytes) {

    /**
     * Measures on {@code device} with {@code smallModel} (a few MB: its own weights, cache and compute
     * are subtracted, only the overhead remains).
     *
     * @throws IllegalArgumentException if there is no such GPU device
     */
    public static RuntimeOverhead measure(LlamaBackend backend, Path smallModel, String device) {
        BackendDevice before = gpu(backend, device);
        long inUse = before.totalBytes() - before.freeBytes();
        List<String> gpus = backend.devices().stream().filter(BackendDevice::isGpu).map(BackendDevice::name).toList();
        ModelParams params = ModelParams.defaults().withGpuLayers(-1).withSplit(SplitMode.NONE, gpus.indexOf(device), List.of());
        try (LlamaModel model = LlamaModel.load(backend, smallModel, params, null);
             LlamaContext ctx = LlamaContext.create(model, ContextParams.defaults().withContextSize(512).withBatch(512, 512))) {
            Batch batch = new Batch(ctx.microBatch());
            for (int i = 0; i < ctx.microBatch(); i++) {
                batch.add(1 + i % 100, i, 0, i == ctx.microBatch() - 1);
            }
            if (ctx.decode(batch) != DecodeStatus.OK) {
                throw new IllegalStateException("warm-up decode on " + device + " failed");
            }
            long used = before.freeBytes() - gpu(backend, device).freeBytes();
            return new RuntimeOverhead(device, inUse, Math.max(0, used - ctx.memoryBreakdown().bytesOn(device)));
        }
    }

    private static BackendDevice gpu(LlamaBackend backend, String device) {
        return backend.devices().stream().filter(d -> d.isGpu() && d.name().equals(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no GPU device " + device + "; devices: "
                        + backend.devices().stream().map(BackendDevice::name).toList()));
    }
}
