package dev.strata.memory.device;

import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.CUuuid;
import jcuda.driver.JCudaDriver;

/**
 * {@link CudaDriver} through JCuda's driver API, which needs {@code libcuda.so.1} and nothing else of
 * CUDA. Result codes are checked here; JCuda's process-wide {@code setExceptionsEnabled} is left as
 * it is (another library in the JVM may have turned it on, so a {@link CudaException} is handled
 * too).
 *
 * <p>Without a driver the first call throws {@link UnsatisfiedLinkError} (JCuda's static initialiser
 * fails to load its library) and every later one {@link NoClassDefFoundError}; both pass through.
 */
final class JCudaDriverApi implements CudaDriver {

    @Override
    public void init() {
        check("cuInit", () -> JCudaDriver.cuInit(0));
    }

    @Override
    public int deviceCount() {
        int[] count = new int[1];
        check("cuDeviceGetCount", () -> JCudaDriver.cuDeviceGetCount(count));
        return count[0];
    }

    @Override
    public String name(int ordinal) {
        CUdevice device = device(ordinal);
        byte[] name = new byte[256];
        check("cuDeviceGetName", () -> JCudaDriver.cuDeviceGetName(name, name.length, device));
        return cString(name);
    }

    @Override
    public byte[] uuid(int ordinal) {
        CUdevice device = device(ordinal);
        CUuuid uuid = new CUuuid();
        check("cuDeviceGetUuid", () -> JCudaDriver.cuDeviceGetUuid(uuid, device));
        return uuid.bytes;
    }

    @Override
    public String pciBusId(int ordinal) {
        CUdevice device = device(ordinal);
        String[] id = new String[1];
        check("cuDeviceGetPCIBusId", () -> JCudaDriver.cuDeviceGetPCIBusId(id, 64, device));
        return id[0] == null ? "" : cString(id[0].getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public long totalBytes(int ordinal) {
        CUdevice device = device(ordinal);
        long[] total = new long[1];
        check("cuDeviceTotalMem", () -> JCudaDriver.cuDeviceTotalMem(total, device));
        return total[0];
    }

    @Override
    public long freeBytes(int ordinal) {
        CUdevice device = device(ordinal);
        CUcontext context = new CUcontext();
        check("cuDevicePrimaryCtxRetain", () -> JCudaDriver.cuDevicePrimaryCtxRetain(context, device));
        try {
            check("cuCtxPushCurrent", () -> JCudaDriver.cuCtxPushCurrent(context));
            try {
                long[] free = new long[1];
                long[] total = new long[1];
                check("cuMemGetInfo", () -> JCudaDriver.cuMemGetInfo(free, total));
                return free[0];
            } finally {
                check("cuCtxPopCurrent", () -> JCudaDriver.cuCtxPopCurrent(new CUcontext()));
            }
        } finally {
            check("cuDevicePrimaryCtxRelease", () -> JCudaDriver.cuDevicePrimaryCtxRelease(device));
        }
    }

    private static CUdevice device(int ordinal) {
        CUdevice device = new CUdevice();
        check("cuDeviceGet", () -> JCudaDriver.cuDeviceGet(device, ordinal));
        return device;
    }

    private static void check(String call, IntSupplier invocation) {
        int result;
        try {
            result = invocation.getAsInt();
        } catch (CudaException e) { // someone in this JVM called JCudaDriver.setExceptionsEnabled(true)
            throw new CudaCallException(call, CudaCallException.NO_CODE, String.valueOf(e.getMessage()));
        }
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException(call, result, CUresult.stringFor(result));
        }
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII).strip();
    }
}
