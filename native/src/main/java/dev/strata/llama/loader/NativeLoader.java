package dev.strata.llama.loader;

import dev.strata.llama.NativeLibraryUnavailableException;
import dev.strata.llama.NativeVariant;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Finds, extracts and loads {@code libstrata}. In order:
 * <ol>
 *   <li>{@code -Dstrata.native.library=/path/libstrata.so} (or {@code STRATA_NATIVE_LIBRARY}): that file;</li>
 *   <li>otherwise the variant(s) chosen by {@link VariantChoice} from
 *       {@code -Dstrata.native.variant=auto|cpu|cuda} (or {@code STRATA_NATIVE_VARIANT}), taken from
 *       {@code META-INF/native/<os>-<arch>/<variant>/} in the class path and extracted to
 *       {@code <cache>/<llama version>-<build key>/<variant>/libstrata.so}, where the cache is
 *       {@code -Dstrata.native.cache} or {@code ~/.cache/strata/native}.</li>
 * </ol>
 * Extraction writes a temporary file beside the target and renames it, so concurrent JVMs never see
 * a partial library and nothing else in the directory is touched. Every failed attempt is kept as a
 * suppressed exception of the {@link NativeLibraryUnavailableException} thrown when none loads.
 */
public final class NativeLoader {
    private static final System.Logger LOG = System.getLogger(NativeLoader.class.getName());

    /** What was loaded. {@code properties} are the build's {@code strata-native.properties}. */
    public record LoadedLibrary(NativeVariant variant, Path path, String reason, Map<String, String> properties) {}

    private final ClassLoader resources;
    private final Map<String, String> settings;

    /**
     * @param resources where {@code META-INF/native/...} is looked up
     * @param settings  {@code strata.native.*} settings: system properties, with environment variables as fallback
     */
    public NativeLoader(ClassLoader resources, Map<String, String> settings) {
        this.resources = resources;
        this.settings = Map.copyOf(settings);
    }

    /** A loader reading this JVM's system properties and environment. */
    public static NativeLoader fromEnvironment() {
        Map<String, String> s = new java.util.HashMap<>();
        setting(s, "strata.native.library", "STRATA_NATIVE_LIBRARY");
        setting(s, "strata.native.variant", "STRATA_NATIVE_VARIANT");
        setting(s, "strata.native.cache", "STRATA_NATIVE_CACHE");
        return new NativeLoader(NativeLoader.class.getClassLoader(), s);
    }

    private static void setting(Map<String, String> into, String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        if (v != null && !v.isBlank()) {
            into.put(property, v.trim());
        }
    }

    /** Loads the library into this JVM (System.load); call once per class loader. */
    public LoadedLibrary load() {
        List<Throwable> failures = new ArrayList<>();
        String explicit = settings.get("strata.native.library");
        if (explicit != null) {
            Path path = Path.of(explicit).toAbsolutePath();
            try {
                System.load(path.toString());
                Map<String, String> props = readProperties(path.resolveSibling("strata-native.properties"));
                NativeVariant v = NativeVariant.fromId(props.getOrDefault("variant", "cpu"));
                return new LoadedLibrary(v, path, "strata.native.library=" + path, props);
            } catch (UnsatisfiedLinkError | RuntimeException | IOException e) {
                throw unavailable("could not load " + path + " named by strata.native.library", List.of(e));
            }
        }

        Platform platform = Platform.current().orElseThrow(() -> unavailable(
                "Strata ships no native library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + "; build one with native/build-native.sh and set -Dstrata.native.library=/path/libstrata.so",
                List.of()));
        VariantChoice choice = VariantChoice.choose(settings.get("strata.native.variant"),
                resources.getResource(platform.libraryResource(NativeVariant.CUDA.id())) != null,
                HostProbe.cudaDriverPresent(), HostProbe.nvidiaDevicePresent());
        LOG.log(System.Logger.Level.DEBUG, "native variant order " + choice.order() + ": " + choice.reason());

        for (NativeVariant variant : choice.order()) {
            try {
                if (variant == NativeVariant.CPU) {
                    List<String> missing = HostProbe.missingCpuFlags(platform.arch(), HostProbe.cpuFlags());
                    if (!missing.isEmpty()) {
                        throw new UnsatisfiedLinkError("this CPU lacks " + missing + ", which the portable x86-64 build needs;"
                                + " build libstrata on this machine and set -Dstrata.native.library");
                    }
                }
                Path extracted = extract(platform, variant);
                System.load(extracted.toString());
                Map<String, String> props = readProperties(extracted.resolveSibling("strata-native.properties"));
                return new LoadedLibrary(variant, extracted, choice.reason(), props);
            } catch (UnsatisfiedLinkError | IOException | RuntimeException e) {
                failures.add(new RuntimeException("variant " + variant.id() + ": " + e.getMessage(), e));
                LOG.log(System.Logger.Level.DEBUG, "variant " + variant.id() + " did not load", e);
            }
        }
        throw unavailable("no native variant of Strata could be loaded (" + choice.reason() + "); tried " + choice.order()
                + ". Pick one with -Dstrata.native.variant=cpu|cuda or a file with -Dstrata.native.library=PATH", failures);
    }

    private Path extract(Platform platform, NativeVariant variant) throws IOException {
        String resource = platform.libraryResource(variant.id());
        String propsResource = resource.replace("libstrata.so", "strata-native.properties");
        Map<String, String> props;
        try (InputStream in = resources.getResourceAsStream(propsResource)) {
            if (in == null || resources.getResource(resource) == null) {
                throw new IOException("the class path has no " + resource + " (was the " + variant.id() + " variant built?)");
            }
            props = toMap(in);
        }
        Path dir = cacheRoot().resolve(props.getOrDefault("llama.version", "unknown") + "-"
                + props.getOrDefault("build.key", "unkeyed")).resolve(variant.id());
        Files.createDirectories(dir);
        Path lib = dir.resolve("libstrata.so");
        copyIfAbsent(resource, lib);
        copyIfAbsent(propsResource, dir.resolve("strata-native.properties"));
        return lib;
    }

    private void copyIfAbsent(String resource, Path target) throws IOException {
        if (Files.isRegularFile(target)) {
            return; // same build key: same bytes
        }
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try (InputStream in = resources.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource vanished: " + resource);
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Path cacheRoot() {
        String configured = settings.get("strata.native.cache");
        if (configured != null) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("strata").resolve("native");
    }

    private static Map<String, String> readProperties(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try (InputStream in = Files.newInputStream(file)) {
            return toMap(in);
        }
    }

    private static Map<String, String> toMap(InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(in);
        Map<String, String> m = new java.util.TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return Map.copyOf(m);
    }

    private static NativeLibraryUnavailableException unavailable(String message, List<Throwable> failures) {
        NativeLibraryUnavailableException e = new NativeLibraryUnavailableException(message);
        failures.forEach(e::addSuppressed);
        return e;
    }
}
