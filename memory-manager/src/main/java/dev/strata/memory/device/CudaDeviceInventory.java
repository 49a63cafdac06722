package dev.strata.memory.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Reads the CUDA devices through the driver API (JCuda) and the host's RAM through {@link HostMemory}.
 *
 * <p>For each device: name, UUID, PCI bus id, total memory ({@code cuDeviceTotalMem}) and free memory
 * ({@code cuMemGetInfo}) read inside the device's <em>primary</em> context, the one the CUDA runtime
 * and so llama.cpp use: it is retained, pushed, read, popped and released, and no context of our own
 * is created. While it is retained the context exists, so the free figure is always "free with the
 * primary context up": the context's own memory is already taken out, as it will be once llama.cpp
 * runs; cuBLAS workspaces and memory pools are not.
 *
 * <p>Indexes are the driver's ordinals in this process. The driver itself applies {@code
 * CUDA_VISIBLE_DEVICES}: with {@code CUDA_VISIBLE_DEVICES=1} the one device shown is {@code cuda0},
 * as llama.cpp's {@code CUDA0} is; its {@link Device#uuid()} names the physical card.
 *
 * <p>Never throws for a missing driver or device. Without {@code libcuda.so.1} JCuda fails with a
 * {@link LinkageError} ({@code UnsatisfiedLinkError} the first time, {@code NoClassDefFoundError}
 * after); then, as when the driver reports no device, the result lists the CPU alone and its first
 * note says why. A device that fails to answer is left out with a note; the others are listed.
 *
 * <pre>{@code
 * Inventory inv = new CudaDeviceInventory(HostMemory.system()).read();
 * inv.cuda();   // [cuda0 NVIDIA H100 80GB HBM3, 78.6 GiB free of 79.2 GiB]
 * inv.notes();  // [] here; on a laptop without a GPU:
 *               // ["CPU only: no NVIDIA driver (libcuda.so.1 cannot be loaded)"]
 * }</pre>
 *
 * <p>Thread-safe: each read asks the driver anew; the one thing kept is why JCuda could not be linked,
 * which cannot change in a JVM.
 */
public final class CudaDeviceInventory implements DeviceInventory {

    private static final System.Logger LOG = System.getLogger(CudaDeviceInventory.class.getName());

    private final Supplier<CudaDriver> driver;
    private final HostMemory host;
    private final UnaryOperator<String> environment;
    /**
     * Why JCuda could not be linked, as the first failure said. A class whose initialiser failed stays
     * failed for the JVM's life, and only the first error names the missing library: later ones are
     * "Could not initialize class", whose saved cause the JVM cuts to about 2,000 characters, which
     * JCuda's long message (nested stack traces) can exceed before it names {@code libcuda.so.1}.
     */
    private volatile String firstLinkageReason;

    /** The CUDA driver through JCuda, this process's environment, and {@code host} for the CPU. */
    public CudaDeviceInventory(HostMemory host) {
        // A lambda, not JCudaDriverApi::new: JCuda's classes are then first touched inside read(),
        // where a LinkageError (even "no JCuda on the class path") becomes a note.
        this(() -> new JCudaDriverApi(), host, System::getenv);
    }

    /**
     * @param driver      makes the driver calls (a fake in tests); asked once per read
     * @param host        reads the CPU device
     * @param environment looks up environment variables, for notes that mention {@code CUDA_VISIBLE_DEVICES}
     */
    CudaDeviceInventory(Supplier<CudaDriver> driver, HostMemory host, UnaryOperator<String> environment) {
        this.driver = Objects.requireNonNull(driver, "driver");
        this.host = Objects.requireNonNull(host, "host");
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    @Override
    public Inventory read() {
        List<Device> devices = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            CudaDriver cuda = driver.get();
            cuda.init();
            int count = cuda.deviceCount();
            if (count == 0) {
                notes.add("CPU only: the NVIDIA driver reports no CUDA device" + visibleDevices());
            }
            for (int ordinal = 0; ordinal < count; ordinal++) {
                try {
                    devices.add(readDevice(cuda, ordinal));
                } catch (CudaCallException e) {
                    notes.add(DeviceId.cuda(ordinal) + " left out: " + e.getMessage());
                }
            }
            if (count > 0 && devices.isEmpty()) {
                notes.add(0, "CPU only: none of the " + count + " CUDA devices could be read");
            }
        } catch (CudaCallException e) {
            notes.add("CUDA_ERROR_NO_DEVICE".equals(e.codeName())
                    ? "CPU only: the NVIDIA driver reports no CUDA device" + visibleDevices()
                    : "CPU only: the CUDA driver cannot be used, " + e.getMessage());
        } catch (LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "JCuda's driver API is unavailable", e);
            String reason = firstLinkageReason;
            if (reason == null) {
                reason = linkageReason(e);
                firstLinkageReason = reason;
            }
            notes.add("CPU only: " + reason);
        }
        devices.add(host.read());
        return new Inventory(devices, notes);
    }

    private static Device readDevice(CudaDriver cuda, int ordinal) {
        return new Device(DeviceId.cuda(ordinal), cuda.name(ordinal), uuidString(cuda.uuid(ordinal)),
                cuda.pciBusId(ordinal), cuda.totalBytes(ordinal), cuda.freeBytes(ordinal));
    }

    private String visibleDevices() {
        String visible = environment.apply("CUDA_VISIBLE_DEVICES");
        return visible == null ? "" : " (CUDA_VISIBLE_DEVICES=\"" + visible + "\")";
    }

    /**
     * Why JCuda could not be used, in one line. The first linkage error's message names the missing
     * library; a later {@code NoClassDefFoundError}'s cause may, unless the JVM cut it short.
     */
    static String linkageReason(LinkageError e) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t).append('\n');
        }
        String all = chain.toString();
        if (all.contains("libcuda.so")) {
            return "no NVIDIA driver (libcuda.so.1 cannot be loaded)";
        }
        if (e instanceof NoClassDefFoundError && !all.contains("Could not initialize")) {
            return "JCuda is not on the class path (org.jcuda:jcuda and its natives): " + e.getMessage();
        }
        if (e instanceof NoClassDefFoundError && all.contains("Error while loading native library")) {
            return "JCuda's driver library failed to load earlier in this JVM (most often there is no NVIDIA"
                    + " driver: libcuda.so.1 is missing): " + e.getMessage();
        }
        String first = all.lines().findFirst().orElse(e.getClass().getName());
        return "JCuda's driver library cannot be loaded: " + first;
    }

    /**
     * A CUDA UUID as {@code nvidia-smi -L} and {@code CUDA_VISIBLE_DEVICES} write it:
     * {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, lower-case hex; empty for anything but 16 bytes.
     */
    static String uuidString(byte[] uuid) {
        if (uuid == null || uuid.length != 16) {
            return "";
        }
        StringBuilder sb = new StringBuilder("GPU-");
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                sb.append('-');
            }
            sb.append(Character.forDigit((uuid[i] >> 4) & 0xF, 16)).append(Character.forDigit(uuid[i] & 0xF, 16));
        }
        return sb.toString();
    }
}
