package dev.strata.llama.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource({
            "Linux, amd64, linux-x86_64",
            "Linux, x86_64, linux-x86_64",
            "linux, AMD64, linux-x86_64",
            "Linux, aarch64, linux-aarch64",
            "Linux, arm64, linux-aarch64",
            "Linux, x86, ''",
            "Linux, riscv64, ''",
            "Mac OS X, aarch64, ''",
            "Windows 11, amd64, ''",
    })
    void mapsJavaPropertiesToTheResourceDirectory(String os, String arch, String expected) {
        Optional<String> dir = Platform.of(os, arch).map(Platform::resourceDirectory);
        assertThat(dir.orElse("")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"cpu, META-INF/native/linux-x86_64/cpu/libstrata.so", "cuda, META-INF/native/linux-x86_64/cuda/libstrata.so"})
    void libraryResourcePathIncludesTheVariant(String variant, String path) {
        assertThat(Platform.of("Linux", "amd64").orElseThrow().libraryResource(variant)).isEqualTo(path);
    }
}
