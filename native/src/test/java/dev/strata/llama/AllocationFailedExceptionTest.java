package dev.strata.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The failed device and size are read from the error lines llama.cpp and ggml log, as the bridge passes them on. */
class AllocationFailedExceptionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // what ggml-cuda, ggml-alloc and llama-model log for one failed weights buffer, in order
        "llama.cpp could not load m.gguf: ggml_backend_cuda_buffer_type_alloc_buffer: allocating 2048.00 MiB on device 1: cudaMalloc failed: out of memory; alloc_tensor_range: failed to allocate CUDA1 buffer of size 2147483648; llama_model_load: error loading model: unable to allocate CUDA1 buffer | CUDA1 | 2147483648",
        "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 1.50 MiB on device 0: cudaMalloc failed: out of memory | CUDA0 | 1572864",
        "llama_model_load: error loading model: unable to allocate CUDA_Host buffer | CUDA_Host | -",
        "ggml_gallocr_reserve_n: failed to allocate CPU buffer of size 123456; failed to allocate compute pp buffers | CPU | 123456",
        "out of host memory inside llama.cpp (std::bad_alloc) | - | -",
    })
    void readsTheDeviceAndTheSizeFromTheLog(String message, String device, Long bytes) {
        AllocationFailedException e = new AllocationFailedException(message);
        assertThat(e.device()).isEqualTo(Optional.ofNullable(device));
        assertThat(e.requestedBytes()).isEqualTo(bytes == null ? OptionalLong.empty() : OptionalLong.of(bytes));
    }
}
