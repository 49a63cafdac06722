package dev.strata.llama.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the host offers, read from the file system before any native code runs: the NVIDIA driver
 * library, NVIDIA devices, and the CPU's instruction-set flags.
 */
final class HostProbe {
    /** ggml's portable x86 build needs these (GGML_NATIVE=OFF defaults); missing any means SIGILL. */
    static final List<String> X86_64_V3_FLAGS = List.of("avx", "avx2", "fma", "f16c", "bmi2", "sse4_2");

    private HostProbe() {}

    static boolean cudaDriverPresent() {
        List<Path> dirs = new ArrayList<>(List.of(
                Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"),
                Path.of("/usr/lib"), Path.of("/usr/local/nvidia/lib64"), Path.of("/usr/local/nvidia/lib"),
                Path.of("/usr/lib/wsl/lib")));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            Arrays.stream(ld.split(":")).filter(s -> !s.isBlank()).map(Path::of).forEach(dirs::add);
        }
        // The toolkit's stubs directory has a libcuda.so that only links; it is not a driver.
        return dirs.stream().filter(d -> !d.toString().contains("stubs"))
                .anyMatch(d -> Files.exists(d.resolve("libcuda.so.1")));
    }

    static boolean nvidiaDevicePresent() {
        if (Files.exists(Path.of("/dev/nvidia0"))) {
            return true;
        }
        try (Stream<Path> gpus = Files.list(Path.of("/proc/driver/nvidia/gpus"))) {
            return gpus.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** The "flags" of the first processor in /proc/cpuinfo; empty when unreadable. */
    static Set<String> cpuFlags() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> new HashSet<>(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                    .map(Set::<String>copyOf).orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /** Flags the x86-64 build needs that the CPU lacks; empty when it is fine or unknowable. */
    static List<String> missingCpuFlags(String arch, Set<String> flags) {
        if (!arch.equals("x86_64") || flags.isEmpty()) {
            return List.of();
        }
        return X86_64_V3_FLAGS.stream().filter(f -> !flags.contains(f)).toList();
    }
}
