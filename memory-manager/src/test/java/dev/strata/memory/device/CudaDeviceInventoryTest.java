package dev.strata.memory.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CudaDeviceInventoryTest {

    private static final long G = ByteSize.GIB;
    private static final HostMemory HOST = new HostMemory(Path.of("/nonexistent/meminfo"), () -> 64 * G, () -> 60 * G);
    private static final UnaryOperator<String> NO_ENV = name -> null;
    private static final byte[] UUID0 = {
        (byte) 0x5f, 0x0c, 0x1c, (byte) 0x9e, 0x12, 0x34, 0x56, 0x78,
        (byte) 0x9a, (byte) 0xbc, (byte) 0xde, (byte) 0xf0, 0x01, 0x23, 0x45, 0x67};
    private static final byte[] UUID1 = new byte[16];

    private static FakeCudaDriver twoGpus() {
        return new FakeCudaDriver()
                .add(new FakeCudaDriver.Gpu("NVIDIA H100 80GB HBM3", UUID0, "0000:65:00.0", 80 * G, 79 * G))
                .add(new FakeCudaDriver.Gpu("NVIDIA GeForce RTX 4090", UUID1, "0000:01:00.0", 24 * G, 23 * G));
    }

    private static Inventory read(FakeCudaDriver driver, UnaryOperator<String> env) {
        return new CudaDeviceInventory(() -> driver, HOST, env).read();
    }

    @Test
    void listsDevicesByOrdinalThenTheCpu() {
        Inventory inv = read(twoGpus(), NO_ENV);
        assertThat(inv.devices()).containsExactly(
                new Device(DeviceId.cuda(0), "NVIDIA H100 80GB HBM3", "GPU-5f0c1c9e-1234-5678-9abc-def001234567",
                        "0000:65:00.0", 80 * G, 79 * G),
                new Device(DeviceId.cuda(1), "NVIDIA GeForce RTX 4090", "GPU-00000000-0000-0000-0000-000000000000",
                        "0000:01:00.0", 24 * G, 23 * G),
                new Device(DeviceId.CPU, "CPU", "", "", 64 * G, 60 * G));
        assertThat(inv.notes()).isEmpty();
        assertThat(inv.hasCuda()).isTrue();
        assertThat(inv.device(DeviceId.cuda(1)).orElseThrow().describe())
                .isEqualTo("cuda1 NVIDIA GeForce RTX 4090, 23 GiB free of 24 GiB");
    }

    /** What the driver shows, why the inventory is CPU only (first note), for each kind of failure. */
    @Test
    void cpuOnlyWithTheReason() {
        Object[][] table = {
            {"no libcuda, first call",
                new FakeCudaDriver().unlinked(new UnsatisfiedLinkError("Error while loading native library "
                        + "\"JCudaDriver-12.6.0-linux-x86_64\"\n---(start of nested stack traces)---\n"
                        + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1:"
                        + " cannot open shared object file: No such file or directory")),
                NO_ENV, "CPU only: no NVIDIA driver (libcuda.so.1 cannot be loaded)"},
            {"no libcuda, later calls",
                new FakeCudaDriver().unlinked(noClassDefAfterFailedInit("Exception java.lang.UnsatisfiedLinkError:"
                        + " Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\" … libcuda.so.1:"
                        + " cannot open shared object file [in thread \"main\"]")),
                NO_ENV, "CPU only: no NVIDIA driver (libcuda.so.1 cannot be loaded)"},
            {"no libcuda, later calls, the saved cause cut short",
                new FakeCudaDriver().unlinked(noClassDefAfterFailedInit("Exception java.lang.UnsatisfiedLinkError:"
                        + " Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\" … at org.junit")),
                NO_ENV, "CPU only: JCuda's driver library failed to load earlier in this JVM (most often there is no"
                        + " NVIDIA driver: libcuda.so.1 is missing): Could not initialize class jcuda.driver.JCudaDriver"},
            {"no JCuda jar",
                new FakeCudaDriver().unlinked(new NoClassDefFoundError("jcuda/driver/JCudaDriver")),
                NO_ENV, "CPU only: JCuda is not on the class path (org.jcuda:jcuda and its natives): jcuda/driver/JCudaDriver"},
            {"JCuda's own library missing",
                new FakeCudaDriver().unlinked(new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"")),
                NO_ENV, "CPU only: JCuda's driver library cannot be loaded: java.lang.UnsatisfiedLinkError: "
                        + "Error while loading native library \"JCudaDriver\""},
            {"driver without devices",
                new FakeCudaDriver().failing("init", new CudaCallException("cuInit", 100, "CUDA_ERROR_NO_DEVICE")),
                NO_ENV, "CPU only: the NVIDIA driver reports no CUDA device"},
            {"all devices hidden",
                new FakeCudaDriver().failing("init", new CudaCallException("cuInit", 100, "CUDA_ERROR_NO_DEVICE")),
                (UnaryOperator<String>) name -> name.equals("CUDA_VISIBLE_DEVICES") ? "" : null,
                "CPU only: the NVIDIA driver reports no CUDA device (CUDA_VISIBLE_DEVICES=\"\")"},
            {"zero devices counted",
                new FakeCudaDriver(),
                (UnaryOperator<String>) Map.of("CUDA_VISIBLE_DEVICES", "-1")::get,
                "CPU only: the NVIDIA driver reports no CUDA device (CUDA_VISIBLE_DEVICES=\"-1\")"},
            {"driver older than the toolkit",
                new FakeCudaDriver().failing("init", new CudaCallException("cuInit", 35, "CUDA_ERROR_INSUFFICIENT_DRIVER")),
                NO_ENV, "CPU only: the CUDA driver cannot be used, cuInit failed: CUDA_ERROR_INSUFFICIENT_DRIVER (35)"},
            {"exceptions enabled elsewhere in the JVM",
                new FakeCudaDriver().failing("deviceCount",
                        new CudaCallException("cuDeviceGetCount", CudaCallException.NO_CODE, "CUDA_ERROR_NOT_INITIALIZED")),
                NO_ENV, "CPU only: the CUDA driver cannot be used, cuDeviceGetCount failed: CUDA_ERROR_NOT_INITIALIZED"},
            {"every device fails",
                twoGpus().failing("freeBytes:0", new CudaCallException("cuDevicePrimaryCtxRetain", 46,
                        "CUDA_ERROR_DEVICE_UNAVAILABLE")).failing("name:1", new CudaCallException("cuDeviceGetName", 999,
                        "CUDA_ERROR_UNKNOWN")),
                NO_ENV, "CPU only: none of the 2 CUDA devices could be read"},
        };
        for (Object[] row : table) {
            @SuppressWarnings("unchecked")
            Inventory inv = read((FakeCudaDriver) row[1], (UnaryOperator<String>) row[2]);
            assertThat(inv.hasCuda()).as("%s", row[0]).isFalse();
            assertThat(inv.devices()).as("%s", row[0]).containsExactly(HOST.read());
            assertThat(inv.notes()).as("%s", row[0]).first().isEqualTo(row[3]);
        }
    }

    @Test
    void aDeviceThatFailsIsLeftOutAndTheOthersKeepTheirOrdinals() {
        FakeCudaDriver driver = twoGpus().failing("freeBytes:0",
                new CudaCallException("cuDevicePrimaryCtxRetain", 46, "CUDA_ERROR_DEVICE_UNAVAILABLE"));
        Inventory inv = read(driver, NO_ENV);
        assertThat(inv.cuda()).extracting(Device::id).containsExactly(DeviceId.cuda(1));
        assertThat(inv.notes()).containsExactly(
                "cuda0 left out: cuDevicePrimaryCtxRetain failed: CUDA_ERROR_DEVICE_UNAVAILABLE (46)");
    }

    @Test
    void keepsTheFirstLinkageReason() {
        Iterator<FakeCudaDriver> drivers = List.of(
                new FakeCudaDriver().unlinked(new UnsatisfiedLinkError("… libcuda.so.1: cannot open shared object file")),
                new FakeCudaDriver().unlinked(noClassDefAfterFailedInit("Exception java.lang.UnsatisfiedLinkError: …")))
                .iterator();
        CudaDeviceInventory inventory = new CudaDeviceInventory(drivers::next, HOST, NO_ENV);
        assertThat(inventory.read().notes()).containsExactly("CPU only: no NVIDIA driver (libcuda.so.1 cannot be loaded)");
        assertThat(inventory.read().notes()).containsExactly("CPU only: no NVIDIA driver (libcuda.so.1 cannot be loaded)");
    }

    @Test
    void readsAgainEachTime() {
        FakeCudaDriver driver = twoGpus();
        CudaDeviceInventory inventory = new CudaDeviceInventory(() -> driver, HOST, NO_ENV);
        inventory.read();
        int once = driver.calls();
        inventory.read();
        assertThat(driver.calls()).isEqualTo(2 * once);
    }

    @Test
    void uuidsAreWrittenAsNvidiaSmiDoes() {
        assertThat(CudaDeviceInventory.uuidString(UUID0)).isEqualTo("GPU-5f0c1c9e-1234-5678-9abc-def001234567");
        byte[] ff = new byte[16];
        Arrays.fill(ff, (byte) 0xff);
        assertThat(CudaDeviceInventory.uuidString(ff)).isEqualTo("GPU-ffffffff-ffff-ffff-ffff-ffffffffffff");
        assertThat(CudaDeviceInventory.uuidString(new byte[15])).isEmpty();
        assertThat(CudaDeviceInventory.uuidString(null)).isEmpty();
    }

    /**
     * The real driver through JCuda, on whatever machine runs the tests. Never throws; reading twice
     * covers JCuda's two failures without a driver ({@code UnsatisfiedLinkError}, then {@code
     * NoClassDefFoundError}), which must give the same note.
     */
    @Test
    void readsThisMachineWithoutThrowing() {
        CudaDeviceInventory inventory = new CudaDeviceInventory(HostMemory.system());
        Inventory first = inventory.read();
        Inventory second = inventory.read();
        Inventory another = new CudaDeviceInventory(HostMemory.system()).read();
        assertThat(second.notes()).isEqualTo(first.notes());
        assertThat(first.cpu().totalBytes()).isPositive();
        if (Files.exists(Path.of("/dev/nvidia0"))) {
            assertThat(first.hasCuda()).as("notes: %s", first.notes()).isTrue();
        } else {
            assertThat(first.devices()).hasSize(1);
            assertThat(first.notes().get(0)).matches("CPU only: (no NVIDIA driver \\(libcuda\\.so\\.1 cannot be loaded\\)"
                    + "|the NVIDIA driver reports no CUDA device.*)");
            // Another inventory in this JVM may see only JCuda's later error; it still says why.
            assertThat(another.devices()).hasSize(1);
            assertThat(another.notes().get(0)).matches("CPU only: (.*libcuda\\.so\\.1.*|the NVIDIA driver reports no CUDA device.*)");
        }
    }

    /** Only on a machine with an NVIDIA GPU. */
    @Test
    void listsTheGpus() {
        assumeTrue(Files.exists(Path.of("/dev/nvidia0")), "needs an NVIDIA GPU (/dev/nvidia0)");
        Inventory inv = new CudaDeviceInventory(HostMemory.system()).read();
        assertThat(inv.notes()).isEmpty();
        assertThat(inv.cuda()).isNotEmpty();
        for (int i = 0; i < inv.cuda().size(); i++) {
            Device d = inv.cuda().get(i);
            System.out.println(d.describe() + " " + d.uuid() + " " + d.pciBusId());
            assertThat(d.id()).isEqualTo(DeviceId.cuda(i));
            assertThat(d.name()).isNotBlank();
            assertThat(d.uuid()).matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(d.pciBusId()).matches("[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-9A-Fa-f]");
            assertThat(d.totalBytes()).isGreaterThan(G);
            assertThat(d.freeBytes()).isPositive().isLessThanOrEqualTo(d.totalBytes());
        }
    }

    /**
     * Only on a machine with an NVIDIA GPU: the driver applies CUDA_VISIBLE_DEVICES, so the last GPU,
     * made the only visible one by its UUID, is {@code cuda0} in a child process; hiding all leaves
     * the CPU and a note that names the variable.
     */
    @Test
    void cudaVisibleDevicesRenumbersFromCuda0() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/nvidia0")), "needs an NVIDIA GPU (/dev/nvidia0)");
        List<Device> gpus = new CudaDeviceInventory(HostMemory.system()).read().cuda();
        Device last = gpus.get(gpus.size() - 1);

        List<String> onlyLast = runChild(last.uuid());
        assertThat(onlyLast).containsExactly(
                "device|cuda0|" + last.uuid() + "|" + last.name(), "device|cpu||CPU");

        List<String> none = runChild("");
        assertThat(none).containsExactly(
                "device|cpu||CPU", "note|CPU only: the NVIDIA driver reports no CUDA device (CUDA_VISIBLE_DEVICES=\"\")");
    }

    private static List<String> runChild(String visibleDevices) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                PrintInventory.class.getName());
        pb.environment().put("CUDA_VISIBLE_DEVICES", visibleDevices);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = new ArrayList<>(new String(out, StandardCharsets.UTF_8).lines().toList());
        assertThat(p.exitValue()).as("child output: %s", lines).isZero();
        return lines;
    }

    /**
     * What JCuda throws on later calls without a driver: the JVM's saved copy of the first failure is
     * the cause, its text cut to about 2,000 characters.
     */
    private static NoClassDefFoundError noClassDefAfterFailedInit(String savedCause) {
        NoClassDefFoundError e = new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
        e.initCause(new ExceptionInInitializerError(savedCause));
        return e;
    }
}
