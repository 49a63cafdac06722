package dev.strata.memory.device;

/**
 * A CUDA driver call returned an error, e.g. {@code cuDevicePrimaryCtxRetain failed:
 * CUDA_ERROR_DEVICE_UNAVAILABLE (46)}. Stays inside this package: {@link CudaDeviceInventory} turns
 * it into a note.
 */
final class CudaCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The driver's code when the call returned one; for a call that threw, {@link #NO_CODE}. */
    static final int NO_CODE = -1;

    private final String call;
    private final int code;
    private final String codeName;

    /**
     * @param call     the driver function, such as {@code cuMemGetInfo}
     * @param code     its {@code CUresult}, or {@link #NO_CODE}
     * @param codeName the result's name, such as {@code CUDA_ERROR_NO_DEVICE}
     */
    CudaCallException(String call, int code, String codeName) {
        super(call + " failed: " + codeName + (code == NO_CODE ? "" : " (" + code + ")"));
        this.call = call;
        this.code = code;
        this.codeName = codeName;
    }

    String call() {
        return call;
    }

    int code() {
        return code;
    }

    String codeName() {
        return codeName;
    }
}
