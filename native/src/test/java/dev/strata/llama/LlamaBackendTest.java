package dev.strata.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The library this module just built loads from the class path and reports what it is. */
class LlamaBackendTest {

    @Test
    void loadsAndReportsVariantAndVersion() {
        LlamaBackend llama = LlamaBackend.get();
        assertThat(llama.llamaVersion()).isEqualTo("0.5.0");
        assertThat(llama.ggmlVersion()).isEqualTo("0.25.1");
        assertThat(llama.buildProperties()).containsEntry("llama.version", "0.5.0").containsKey("build.key");
        assertThat(llama.libraryPath().getFileName().toString()).isEqualTo("libstrata.so");
        assertThat(LlamaBackend.get()).isSameAs(llama);
    }

    @Test
    void listsTheCpuDevice() {
        assertThat(LlamaBackend.get().devices()).anySatisfy(d -> {
            assertThat(d.kind()).isEqualTo(BackendDevice.Kind.CPU);
            assertThat(d.totalBytes()).isPositive();
        });
    }

    @Test
    void ggmlAbortBecomesAJavaExceptionInsteadOfKillingTheJvm() {
        LlamaBackend.get();
        assertThatThrownBy(LlamaNative::testTriggerGgmlAbort).isInstanceOf(NativeAbortException.class)
                .hasMessageContaining("deliberate abort");
        // and the library still works afterwards
        assertThat(LlamaBackend.get().devices()).isNotEmpty();
    }
}
