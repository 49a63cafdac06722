package dev.strata.memory.device;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The runtime overhead measured on each GPU of this machine (what a warmed-up model holds beyond
 * llama.cpp's own breakdown: cuBLAS state, memory pools), kept between runs because it depends on
 * the card, driver and build, not on the model: measured once ({@code strata overhead}), then added
 * to every plan for that card. Keyed by the GPU's UUID, so a card keeps its figure whatever its
 * index; a file of properties, {@code ~/.cache/strata/overheads.properties} unless
 * {@code -Dstrata.overhead.file} says otherwise.
 *
 * <pre>{@code
 * MeasuredOverheads m = MeasuredOverheads.load(MeasuredOverheads.defaultFile());
 * m.of(gpu.uuid());                                            // Optional[Entry[bytes=112394240, ...]]
 * m.with(gpu.uuid(), gpu.name(), bytes, Instant.now()).save(MeasuredOverheads.defaultFile());
 * }</pre>
 *
 * @param entries per GPU UUID
 */
public record MeasuredOverheads(Map<String, Entry> entries) {

    /**
     * @param name     the card's name when it was measured
     * @param bytes    the overhead in bytes
     * @param measured when
     */
    public record Entry(String name, long bytes, Instant measured) {}

    public MeasuredOverheads {
        entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    /** {@code -Dstrata.overhead.file}, else {@code $XDG_CACHE_HOME/strata/overheads.properties}, else under ~/.cache. */
    public static Path defaultFile() {
        String configured = System.getProperty("strata.overhead.file");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("strata").resolve("overheads.properties");
    }

    /** What {@code file} holds; nothing if it does not exist. Lines it cannot read are skipped, not fatal. */
    public static MeasuredOverheads load(Path file) {
        Map<String, Entry> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return new MeasuredOverheads(out);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            return new MeasuredOverheads(out); // a damaged file is as good as none: measure again
        }
        for (String key : p.stringPropertyNames()) {
            if (!key.endsWith(".bytes")) {
                continue;
            }
            String uuid = key.substring(0, key.length() - ".bytes".length());
            try {
                long bytes = Long.parseLong(p.getProperty(key).trim());
                Instant when = Instant.parse(p.getProperty(uuid + ".measured", Instant.EPOCH.toString()).trim());
                if (bytes >= 0) {
                    out.put(uuid, new Entry(p.getProperty(uuid + ".name", ""), bytes, when));
                }
            } catch (RuntimeException skipped) {
                // one bad entry does not spoil the others
            }
        }
        return new MeasuredOverheads(out);
    }

    public Optional<Entry> of(String uuid) {
        return Optional.ofNullable(entries.get(uuid));
    }

    /** These entries with {@code uuid}'s replaced. */
    public MeasuredOverheads with(String uuid, String name, long bytes, Instant measured) {
        if (uuid == null || uuid.isBlank()) {
            throw new IllegalArgumentException("a measured overhead needs the GPU's UUID");
        }
        Map<String, Entry> next = new TreeMap<>(entries);
        next.put(uuid, new Entry(name, bytes, measured));
        return new MeasuredOverheads(next);
    }

    /** Writes the file whole (a temporary file renamed over it, so a reader never sees half of it). */
    public void save(Path file) {
        Properties p = new Properties();
        entries.forEach((uuid, e) -> {
            p.setProperty(uuid + ".name", e.name());
            p.setProperty(uuid + ".bytes", Long.toString(e.bytes()));
            p.setProperty(uuid + ".measured", e.measured().toString());
        });
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "overheads", ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "runtime overhead per GPU, measured by strata overhead");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
