package dev.strata.memory.device;

/**
 * The few CUDA driver calls the inventory makes, one method per question, so that its logic is
 * tested with a fake. Every method throws {@link CudaCallException} for an error code and may throw
 * a {@link LinkageError} when the driver library is missing.
 */
interface CudaDriver {

    /** {@code cuInit(0)}. */
    void init();

    /** {@code cuDeviceGetCount}: devices visible to this process. */
    int deviceCount();

    /** {@code cuDeviceGetName}. */
    String name(int ordinal);

    /** {@code cuDeviceGetUuid}: the 16 raw bytes. */
    byte[] uuid(int ordinal);

    /** {@code cuDeviceGetPCIBusId}: {@code 0000:65:00.0}. */
    String pciBusId(int ordinal);

    /** {@code cuDeviceTotalMem}, bytes. */
    long totalBytes(int ordinal);

    /**
     * {@code cuMemGetInfo}'s free bytes with the device's primary context current: retained, pushed,
     * read, popped and released, so no context of our own is created.
     */
    long freeBytes(int ordinal);
}
