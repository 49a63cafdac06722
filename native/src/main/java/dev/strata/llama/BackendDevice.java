package dev.strata.llama;

/**
 * One ggml device as this process sees it now.
 *
 * @param index       position in ggml's device list
 * @param name        ggml's device name: "CPU", "CUDA0", ... (the names tensor overrides use)
 * @param description the driver's name for it, e.g. "NVIDIA H100 80GB HBM3"
 * @param kind        CPU, GPU, integrated GPU or accelerator
 * @param freeBytes   free memory in bytes, as ggml reports it at the time of the call
 * @param totalBytes  total memory in bytes
 */
public record BackendDevice(int index, String name, String description, Kind kind, long freeBytes, long totalBytes) {

    /** ggml_backend_dev_type. */
    public enum Kind {
        CPU, GPU, INTEGRATED_GPU, ACCELERATOR, OTHER;

        static Kind fromGgml(int type) {
            return switch (type) {
                case 0 -> CPU;
                case 1 -> GPU;
                case 2 -> INTEGRATED_GPU;
                case 3 -> ACCELERATOR;
                default -> OTHER;
            };
        }
    }

    public boolean isGpu() {
        return kind == Kind.GPU || kind == Kind.INTEGRATED_GPU;
    }
}
