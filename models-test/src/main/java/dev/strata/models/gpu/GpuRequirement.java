package dev.strata.models.gpu;

import dev.strata.llama.BackendDevice;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a GPU-only main needs before it touches CUDA: enough GPUs as llama.cpp sees them. On a machine
 * without them it says so in one sentence, with what it found and where to run instead, and the main
 * exits with {@link #EXIT_NO_GPU} rather than failing somewhere inside a load.
 *
 * <pre>{@code
 * List<String> gpus = GpuRequirement.orExit(llama.devices(), 2, llama.variant().id());   // ["CUDA0", "CUDA1"]
 * }</pre>
 */
final class GpuRequirement {
    /** Exit status of a GPU-only main on a machine without the GPUs it needs. */
    static final int EXIT_NO_GPU = 3;

    private GpuRequirement() {}

    /** Why {@code devices} cannot run a case that needs {@code needed} GPUs; empty when they can. */
    static Optional<String> problem(List<BackendDevice> devices, int needed, String variant) {
        List<BackendDevice> gpus = devices.stream().filter(BackendDevice::isGpu).toList();
        if (gpus.size() >= needed) {
            return Optional.empty();
        }
        String seen = devices.stream().map(d -> d.name() + " (" + d.description() + ")").collect(Collectors.joining(", "));
        return Optional.of("this needs " + needed + " NVIDIA GPU" + (needed == 1 ? "" : "s") + " and llama.cpp sees "
                + gpus.size() + " (devices: " + (seen.isEmpty() ? "none" : seen) + "; libstrata variant " + variant
                + "). Run it on a GPU machine through models-test/gpu/run-gpu.sh, which builds the cuda variant "
                + "(STRATA_GPU_PROOF=h100 for one GPU, x2 for two); see docs/gpu-proof.md.");
    }

    /** The names of the first {@code needed} GPUs ("CUDA0", ...); prints the problem and exits when there are fewer. */
    static List<String> orExit(List<BackendDevice> devices, int needed, String variant) {
        Optional<String> problem = problem(devices, needed, variant);
        if (problem.isPresent()) {
            System.err.println("no GPU: " + problem.get());
            System.exit(EXIT_NO_GPU);
        }
        return devices.stream().filter(BackendDevice::isGpu).map(BackendDevice::name).limit(needed).toList();
    }

    /** Every GPU's name. */
    static List<String> all(List<BackendDevice> devices) {
        return devices.stream().filter(BackendDevice::isGpu).map(BackendDevice::name).toList();
    }
}
