package dev.strata.memory.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostMemoryTest {

    private static final long KIB = ByteSize.KIB;
    private static final String MEMINFO = String.join("\n",
            "MemTotal:       24684092 kB",
            "MemFree:        24036748 kB",
            "MemAvailable:   24320576 kB",
            "Buffers:            3104 kB",
            "HugePages_Total:       0", "");

    @TempDir
    Path dir;

    private Path meminfo(String text) throws IOException {
        return Files.writeString(dir.resolve("meminfo"), text);
    }

    @Test
    void readsMemTotalAndMemAvailableInKiB() throws IOException {
        Device cpu = new HostMemory(meminfo(MEMINFO), () -> 64L << 30, () -> 1).read();
        assertThat(cpu.id()).isEqualTo(DeviceId.CPU);
        assertThat(cpu.name()).isEqualTo("CPU");
        assertThat(cpu.totalBytes()).isEqualTo(24684092 * KIB);
        assertThat(cpu.freeBytes()).isEqualTo(24320576 * KIB);
    }

    @Test
    void aContainerLimitBelowTheHostWins() throws IOException {
        long limit = 8L << 30;
        Device cpu = new HostMemory(meminfo(MEMINFO), () -> limit, () -> 3L << 30).read();
        assertThat(cpu.totalBytes()).isEqualTo(limit);
        assertThat(cpu.freeBytes()).isEqualTo(3L << 30);
    }

    @Test
    void fallsBackToTheJdkWithoutMeminfo() throws IOException {
        Device missing = new HostMemory(dir.resolve("none"), () -> 16L << 30, () -> 5L << 30).read();
        assertThat(missing.totalBytes()).isEqualTo(16L << 30);
        assertThat(missing.freeBytes()).isEqualTo(5L << 30);

        Device noAvailable = new HostMemory(meminfo("MemTotal: 100 kB\nMemFree: 50 kB\n"), () -> 16L << 30, () -> 5L << 30)
                .read();
        assertThat(noAvailable.totalBytes()).isEqualTo(16L << 30);

        Device garbled = new HostMemory(meminfo("MemTotal: lots\nMemAvailable: 1 kB\n"), () -> 16L << 30, () -> 5L << 30)
                .read();
        assertThat(garbled.totalBytes()).isEqualTo(16L << 30);
    }

    @Test
    void saysSoWhenNothingKnowsTheTotal() {
        HostMemory nowhere = new HostMemory(dir.resolve("none"), () -> 0, () -> -1);
        assertThatThrownBy(nowhere::read)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("none").hasMessageContaining("total 0");
    }

    @Test
    void readsThisMachine() {
        Device cpu = HostMemory.system().read();
        assertThat(cpu.totalBytes()).isPositive();
        assertThat(cpu.freeBytes()).isBetween(0L, cpu.totalBytes());
    }
}
