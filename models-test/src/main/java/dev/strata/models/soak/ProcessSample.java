package dev.strata.models.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One look at the server process: heap used right after a full GC (through {@code jcmd PID GC.run} then
 * {@code GC.heap_info}), resident memory, threads and open file descriptors (from {@code /proc/PID}).
 *
 * @param at           time since the soak started
 * @param heapUsedKiB  Java heap in use after a full collection
 * @param rssKiB       VmRSS: everything resident, native memory (llama.cpp) included
 * @param threads      OS threads of the process
 * @param openFiles    entries of /proc/PID/fd (files, sockets, pipes)
 * @param jvmCommittedKiB memory the JVM itself has committed (heap, metaspace, code cache, thread stacks...)
 *                     by Native Memory Tracking, or -1 when the server runs without
 *                     {@code -XX:NativeMemoryTracking}; RSS growing while this stays flat is native memory
 *                     outside the JVM's books (llama.cpp, the bridge, malloc arenas)
 */
record ProcessSample(Duration at, long heapUsedKiB, long rssKiB, int threads, int openFiles, long jvmCommittedKiB) {
    private static final Pattern USED = Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final Pattern THREADS = Pattern.compile("Threads:\\s+(\\d+)");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

    static ProcessSample take(long pid, Duration at) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher used = USED.matcher(jcmd(pid, "GC.heap_info"));
        long heap = used.find() ? Long.parseLong(used.group(1)) : -1;
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        int fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) s.count();
        }
        long jvm = number(NMT_TOTAL, jcmd(pid, "VM.native_memory summary"));
        return new ProcessSample(at, heap, number(RSS, status), (int) number(THREADS, status), fds, jvm);
    }

    private static long number(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(java) ? java.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " did not finish in 60 s");
        }
        return out;
    }
}
