package dev.strata.models.gpu;

import dev.strata.llama.BackendDevice;
import dev.strata.llama.LlamaBackend;
import dev.strata.llama.RuntimeOverhead;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.device.MeasuredOverheads;
import dev.strata.memory.ledger.Ledger;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import dev.strata.runtime.Engine;
import dev.strata.runtime.EngineOptions;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A model larger than a per-device cap, loaded through the engine (planner, ledger, retry) and made
 * to fill its context: the runtime's promise that a cap is kept and nothing runs out of memory.
 * Measures the card's runtime overhead first (kept where the engine reads it), sets the cap for the
 * whole process on CUDA0 (its CUDA context included), loads as planned, decodes a prompt of
 * context − 17 random tokens and generates 16 more, sampling the card's use every 2 ms.
 *
 * <pre>{@code
 * java -Dstrata.overhead.file=/tmp/o.properties -cp ... dev.strata.models.gpu.CapPressure /tmp/work stories260K.gguf 70b-24g
 * }</pre>
 */
public final class CapPressure {
    record Case(String name, String title, ModelSpec spec, QuantMix mix, int context, long capBytes) {}

    static final List<Case> CASES = List.of(
            new Case("70b-24g", "DeepSeek-R1-Distill-Llama-70B Q5_K_S shape (46 GiB) under a 24 GiB cap, context 4096",
                    Zoo.llama3_70b(), QuantMix.Q5_K_S, 4096, 24L << 30),
            new Case("8b-4g", "Llama-3-8B Q8_0 shape (8 GiB) under a 4 GiB cap, context 16384", Zoo.llama3_8b(),
                    QuantMix.Q8_0, 16384, 4L << 30));

    private CapPressure() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path stories = Path.of(args[1]);
        Case c = CASES.stream().filter(x -> x.name().equals(args.length > 2 ? args[2] : "70b-24g")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cases: " + CASES.stream().map(Case::name).toList()));
        System.out.println("=== cap pressure " + c.name() + ": " + c.title());
        Files.createDirectories(work);
        LlamaBackend llama = LlamaBackend.get();
        GpuRequirement.orExit(llama.devices(), 1, llama.variant().id());
        var gpu = new CudaDeviceInventory(HostMemory.system()).read().cuda().get(0);
        RuntimeOverhead overhead = RuntimeOverhead.measure(llama, stories, "CUDA0");
        Path overheads = MeasuredOverheads.defaultFile();
        MeasuredOverheads.load(overheads).with(gpu.uuid(), gpu.name(), overhead.runtimeBytes(), Instant.now()).save(overheads);
        System.out.printf(Locale.ROOT, "CUDA context %s, runtime overhead %s (kept in %s)%n",
                ByteSize.format(overhead.contextBytes()), ByteSize.format(overhead.runtimeBytes()), overheads);

        Path file = work.resolve(c.name() + ".gguf");
        SyntheticModels.write(file, c.spec(), c.mix(), LlamaVocabs.locate(), DataMode.SPARSE, 1);
        System.out.printf(Locale.ROOT, "model file %s%n", ByteSize.format(Files.size(file)));

        // The cap is for everything this process holds on the card; its CUDA context already does.
        long modelsCap = c.capBytes() - overhead.contextBytes();
        DevicePeakSampler sampler = new DevicePeakSampler(llama, "CUDA0");
        sampler.start();
        GenerationResult result;
        Placement placement;
        try (Engine engine = Engine.create(llama, new Ledger(), new CudaDeviceInventory(HostMemory.system()),
                EngineOptions.defaults().withCap(DeviceId.cuda(0), modelsCap));
             Model model = engine.load(file, LoadOptions.planned().withContextSize(c.context()).withSequences(1))) {
            placement = model.placement().orElseThrow();
            DevicePlan d = placement.gpus().get(0);
            System.out.printf(Locale.ROOT, "placed: %d of %d layers on CUDA0 (n_gpu_layers %d), predicted %s, measured %s: %s%n",
                    d.layerCount(), model.info().layerCount(), placement.gpuLayers(), ByteSize.format(d.totalBytes()),
                    ByteSize.format(model.measuredBytes().getOrDefault(DeviceId.cuda(0), 0L)), placement.reason());
            int[] prompt = new int[model.contextSize() - 17];
            SplittableRandom random = new SplittableRandom(7);
            int vocab = model.info().vocabularySize();
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1000 + random.nextInt(Math.min(vocab, 30000) - 1000);
            }
            long t0 = System.nanoTime();
            result = model.submit(GenerationRequest.ofTokens(prompt).withMaxTokens(16).withIgnoreEos(true)).result().join();
            System.out.printf(Locale.ROOT, "prompt %d tokens + %d generated in %.1f s: %s%s%n", result.promptTokens(),
                    result.generatedTokens(), (System.nanoTime() - t0) / 1e9, result.finishReason(),
                    result.error() == null ? "" : " (" + result.error() + ")");
        } finally {
            sampler.stop();
        }
        long peak = sampler.peakUsed();
        BackendDevice after = DevicePeakSampler.device(llama, "CUDA0");
        System.out.printf(Locale.ROOT, "measured peak CUDA0 use %,d MiB against the cap of %,d MiB: %s; after close %,d MiB in use%n",
                peak >> 20, c.capBytes() >> 20, peak <= c.capBytes() ? "within" : "OVER THE CAP",
                (after.totalBytes() - after.freeBytes()) >> 20);
        Files.deleteIfExists(file);
        boolean ok = peak <= c.capBytes() && result.finishReason() == FinishReason.LENGTH && result.generatedTokens() == 16
                && placement.gpuLayers() > 0;
        System.out.println(ok ? "PASSED" : "FAILED");
        System.exit(ok ? 0 : 1);
    }
}
