package dev.strata.llama;

import java.util.Locale;

/** A build of {@code libstrata}: which ggml backends it carries. */
public enum NativeVariant {
    /** CPU only; portable across x86-64-v3 machines (AVX2, FMA, F16C, BMI2). */
    CPU,
    /** CPU plus ggml's CUDA backend; needs an NVIDIA driver, the CUDA 13 runtime and cuBLAS. */
    CUDA;

    /** The lower-case name used in resource paths, properties and logs: "cpu", "cuda". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "cpu" or "cuda" (any case). */
    public static NativeVariant fromId(String id) {
        for (NativeVariant v : values()) {
            if (v.id().equalsIgnoreCase(id.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown native variant '" + id + "' (expected cpu or cuda)");
    }
}
