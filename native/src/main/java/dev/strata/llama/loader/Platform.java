package dev.strata.llama.loader;

import java.util.Locale;
import java.util.Optional;

/**
 * An (operating system, architecture) pair as the jar's resource layout names it:
 * {@code META-INF/native/<os>-<arch>/<variant>/libstrata.so}.
 *
 * <pre>{@code
 * Platform.of("Linux", "amd64").orElseThrow().resourceDirectory(); // "linux-x86_64"
 * }</pre>
 */
public record Platform(String os, String arch) {

    /** Maps Java's {@code os.name} and {@code os.arch}; empty for platforms Strata does not ship. */
    public static Optional<Platform> of(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            return Optional.empty();
        }
        return switch (arch) {
            case "amd64", "x86_64", "x86-64" -> Optional.of(new Platform("linux", "x86_64"));
            case "aarch64", "arm64" -> Optional.of(new Platform("linux", "aarch64"));
            default -> Optional.empty();
        };
    }

    /** The platform of this JVM, if Strata ships for it. */
    public static Optional<Platform> current() {
        return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    public String resourceDirectory() {
        return os + "-" + arch;
    }

    /** Resource path of one variant's library inside the jar. */
    public String libraryResource(String variant) {
        return "META-INF/native/" + resourceDirectory() + "/" + variant + "/libstrata.so";
    }
}
