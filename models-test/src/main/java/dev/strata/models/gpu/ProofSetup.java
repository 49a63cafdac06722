package dev.strata.models.gpu;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.RuntimeOverhead;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.Device;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.device.MeasuredOverheads;
import dev.strata.memory.ledger.Ledger;
import dev.strata.models.proof.ProofCases.ModelCase;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every proof case does first, in a fresh JVM before anything else touches CUDA: checks that the
 * GPUs are there, reads each one's use with only this process's CUDA context, measures each one's
 * runtime overhead on a tiny model and keeps it where the engine's planner reads it
 * ({@link MeasuredOverheads#defaultFile()}, set by {@code -Dstrata.overhead.file}).
 *
 * <pre>{@code
 * ProofSetup s = ProofSetup.start(stories, 2);
 * EngineOptions o = s.caps(List.of(24 * GIB, 12 * GIB), 0);   // per GPU, CUDA context included
 * }</pre>
 *
 * @param llama     the backend (the cuda variant)
 * @param gpus      the GPUs the case uses, by ggml name
 * @param allGpus   every GPU of the machine
 * @param overheads per GPU of {@code gpus}: CUDA context and runtime overhead
 */
record ProofSetup(LlamaBackend llama, List<String> gpus, List<String> allGpus, List<RuntimeOverhead> overheads) {

    static ProofSetup start(Path stories, int needed) {
        LlamaBackend llama = LlamaBackend.get();
        List<String> gpus = GpuRequirement.orExit(llama.devices(), needed, llama.variant().id());
        List<Device> cuda = new CudaDeviceInventory(HostMemory.system()).read().cuda();
        Path file = MeasuredOverheads.defaultFile();
        MeasuredOverheads saved = MeasuredOverheads.load(file);
        List<RuntimeOverhead> overheads = new ArrayList<>();
        for (int i = 0; i < gpus.size(); i++) {
            RuntimeOverhead o = RuntimeOverhead.measure(llama, stories, gpus.get(i));
            overheads.add(o);
            // JCuda's ordinals and ggml's CUDA<n> follow the same CUDA device order
            saved = saved.with(cuda.get(i).uuid(), cuda.get(i).name(), o.runtimeBytes(), Instant.now());
            System.out.printf(Locale.ROOT, "%s %s: CUDA context %s, runtime overhead %s%n", gpus.get(i), cuda.get(i).name(),
                    ByteSize.format(o.contextBytes()), ByteSize.format(o.runtimeBytes()));
        }
        saved.save(file);
        return new ProofSetup(llama, gpus, GpuRequirement.all(llama.devices()), overheads);
    }

    /** This process's CUDA context on the i-th GPU of the case. */
    long contextBytes(int i) {
        return overheads.get(i).contextBytes();
    }

    /**
     * Engine options whose per-GPU caps keep this process's whole use of GPU i under {@code caps[i]}
     * less {@code reserveBytes}: the engine's caps count models only, so the CUDA context comes off
     * them. GPUs of the machine beyond the case get a cap of one byte: nothing goes there.
     */
    EngineOptions caps(List<Long> caps, long reserveBytes) {
        EngineOptions o = EngineOptions.defaults();
        for (int i = 0; i < allGpus.size(); i++) {
            long cap = i < caps.size() ? caps.get(i) - contextBytes(i) - reserveBytes : 1;
            o = o.withCap(DeviceId.cuda(i), Math.max(1, cap));
        }
        return o;
    }

    /** An engine of the case's own: a fresh ledger (nothing booked by earlier cases) over this machine's GPUs. */
    Engine engine(EngineOptions options) {
        return Engine.create(llama, new Ledger(), new CudaDeviceInventory(HostMemory.system()), options);
    }

    /** Writes the case's model into {@code dir} (sparse: zeros, instant; random: real compute, seconds per GiB). */
    static Path write(ModelCase m, Path dir, DataMode mode) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(m.shape() + "-" + m.quant() + (mode == DataMode.RANDOM ? "-random" : "") + ".gguf");
        long t0 = System.nanoTime();
        SyntheticModels.write(file, m.spec(), m.mix(), LlamaVocabs.locate(), mode, 1);
        System.out.printf(Locale.ROOT, "wrote %s (%s, %s) in %.1f s%n", file.getFileName(), ByteSize.format(Files.size(file)),
                mode, (System.nanoTime() - t0) / 1e9);
        return file;
    }
}
