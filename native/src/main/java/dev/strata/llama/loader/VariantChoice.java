package dev.strata.llama.loader;

import dev.strata.llama.NativeVariant;
import java.util.List;

/**
 * Which variants to try, in order, and why: cuda when a CUDA driver, a device and the cuda library
 * are all present, falling back to cpu if cuda fails to load; exactly the requested variant when
 * the user names one. A pure function of what the probes saw.
 *
 * <pre>{@code
 * VariantChoice.choose("auto", true, true, true).order(); // [CUDA, CPU]
 * }</pre>
 *
 * @param order  variants to try, first preferred
 * @param reason one sentence for the log and for error messages
 */
public record VariantChoice(List<NativeVariant> order, String reason) {

    public static VariantChoice choose(String requested, boolean cudaLibraryShipped, boolean driverPresent,
                                       boolean devicePresent) {
        String r = requested == null || requested.isBlank() ? "auto" : requested.trim();
        if (!r.equalsIgnoreCase("auto")) {
            NativeVariant v = NativeVariant.fromId(r);
            return new VariantChoice(List.of(v), "variant " + v.id() + " requested");
        }
        if (cudaLibraryShipped && driverPresent && devicePresent) {
            return new VariantChoice(List.of(NativeVariant.CUDA, NativeVariant.CPU),
                    "CUDA driver, device and cuda library present");
        }
        String missing = !cudaLibraryShipped ? "this jar has no cuda library"
                : !driverPresent ? "no CUDA driver (libcuda.so.1) found"
                : "no NVIDIA device found";
        return new VariantChoice(List.of(NativeVariant.CPU), missing + "; using cpu");
    }
}
