package dev.strata.memory.device;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Reads the host's RAM: total and available, as the {@link DeviceId#CPU} device.
 *
 * <p>Linux's {@code /proc/meminfo} comes first: {@code MemTotal} and {@code MemAvailable} (the
 * kernel's estimate of what can be allocated without swapping, page cache included). Where that file
 * is missing or lacks those lines, the JDK's {@code com.sun.management.OperatingSystemMXBean} gives
 * total and free instead. In a container with a memory limit {@code /proc/meminfo} still shows the
 * whole host while the JDK's figures are the container's limit, so when the JDK reports a smaller
 * total, the smaller total and the smaller available figure are used: a planner must not place
 * layers in RAM the container may not use.
 *
 * <pre>{@code
 * Device cpu = HostMemory.system().read();
 * ByteSize.format(cpu.freeBytes());   // "22.8 GiB"
 * }</pre>
 */
public final class HostMemory {

    private final Path meminfo;
    private final LongSupplier jdkTotalBytes;
    private final LongSupplier jdkFreeBytes;

    /**
     * @param meminfo       a file in {@code /proc/meminfo}'s format
     * @param jdkTotalBytes total RAM as the JDK sees it (container-aware), {@code <= 0} if unknown
     * @param jdkFreeBytes  free RAM as the JDK sees it, {@code < 0} if unknown
     */
    public HostMemory(Path meminfo, LongSupplier jdkTotalBytes, LongSupplier jdkFreeBytes) {
        this.meminfo = Objects.requireNonNull(meminfo, "meminfo");
        this.jdkTotalBytes = Objects.requireNonNull(jdkTotalBytes, "jdkTotalBytes");
        this.jdkFreeBytes = Objects.requireNonNull(jdkFreeBytes, "jdkFreeBytes");
    }

    /**
     * This machine: {@code /proc/meminfo} and the platform's operating-system MXBean. A runtime made
     * by jlink without the {@code jdk.management} module has no such MXBean; then only {@code
     * /proc/meminfo} is read.
     */
    public static HostMemory system() {
        Path meminfo = Path.of("/proc/meminfo");
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return new HostMemory(meminfo, sun::getTotalMemorySize, sun::getFreeMemorySize);
            }
        } catch (LinkageError e) {
            // No java.management or jdk.management in this runtime.
        }
        return new HostMemory(meminfo, () -> -1, () -> -1);
    }

    /**
     * Reads RAM now, as the CPU device: id {@code cpu}, name {@code CPU}, total and available bytes.
     *
     * @throws IllegalStateException if neither {@code /proc/meminfo} nor the JDK knows the total
     */
    public Device read() {
        OptionalLong total = OptionalLong.empty();
        OptionalLong available = OptionalLong.empty();
        try {
            List<String> lines = Files.readAllLines(meminfo, StandardCharsets.US_ASCII);
            total = field(lines, "MemTotal:");
            available = field(lines, "MemAvailable:");
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no procfs: the JDK's figures below.
        }
        long jdkTotal = jdkTotalBytes.getAsLong();
        long jdkFree = jdkFreeBytes.getAsLong();
        long totalBytes;
        long availableBytes;
        if (total.isPresent() && available.isPresent()) {
            totalBytes = total.getAsLong();
            availableBytes = available.getAsLong();
            if (jdkTotal > 0 && jdkTotal < totalBytes) { // a container's limit
                totalBytes = jdkTotal;
                availableBytes = Math.min(availableBytes, Math.max(0, jdkFree));
            }
        } else if (jdkTotal > 0) {
            totalBytes = jdkTotal;
            availableBytes = Math.max(0, Math.min(jdkFree, jdkTotal));
        } else {
            throw new IllegalStateException("host RAM is unknown: " + meminfo
                    + " has no MemTotal and MemAvailable, and the JDK reports total " + jdkTotal);
        }
        return new Device(DeviceId.CPU, "CPU", "", "", totalBytes, Math.min(availableBytes, totalBytes));
    }

    /** {@code MemTotal:       24684092 kB}: the kernel's "kB" is KiB. */
    private static OptionalLong field(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                String[] parts = line.substring(key.length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                if (parts.length == 1) {
                    return OptionalLong.of(value);
                }
                if (parts.length == 2 && parts[1].equals("kB")) {
                    return OptionalLong.of(Math.multiplyExact(value, ByteSize.KIB));
                }
                throw new IllegalArgumentException("unexpected meminfo line: " + line);
            }
        }
        return OptionalLong.empty();
    }
}
