package dev.strata.models.gpu;

import dev.strata.memory.device.DeviceId;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.models.proof.CaseResult;
import dev.strata.models.proof.DeviceMeasure;
import dev.strata.models.proof.ProofCases;
import dev.strata.models.proof.ProofCases.PressureCase;
import dev.strata.models.proof.ProofPlanner;
import dev.strata.models.synth.DataMode;
import dev.strata.runtime.Engine;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A model bigger than a cap on CUDA0, loaded through the engine (planner, ledger, retry), made to fill
 * its context with a prompt of random tokens and then generate: the promise that a cap is kept and
 * nothing runs out of memory. Pass: the sampled peak at or under the cap (CUDA context included), part
 * of the model on the GPU and part on the CPU, no allocation failure caught by the loader, every
 * asked-for token generated after the context-filling prompt.
 *
 * <pre>{@code
 * java -Dstrata.overhead.file=o.properties -cp ... dev.strata.models.gpu.ProofRun pressure 70b-24g WORK stories260K.gguf results.jsonl
 * }</pre>
 */
final class PressureRun {
    private PressureRun() {}

    static CaseResult run(String name, Path work, Path stories) throws Exception {
        PressureCase c = ProofCases.pressure(name);
        long t0 = System.nanoTime();
        System.out.println("=== pressure " + c.name() + ": " + c.title());
        ProofSetup setup = ProofSetup.start(stories, 1);
        Path file = ProofSetup.write(c.model(), work, DataMode.SPARSE);
        List<String> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        DevicePeakSampler sampler = new DevicePeakSampler(setup.llama(), setup.gpus());
        Placement placement;
        GenerationResult result;
        long measuredAtLoad;
        double promptSeconds;
        List<String> allocationFailures;
        try (LoaderWarnings warnings = LoaderWarnings.install()) {
            sampler.start();
            try (Engine engine = setup.engine(setup.caps(List.of(c.cap()), 0));
                 Model model = engine.load(file, LoadOptions.planned().withContextSize(c.model().context()).withSequences(1))) {
                placement = model.placement().orElseThrow();
                measuredAtLoad = model.measuredBytes().getOrDefault(DeviceId.cuda(0), 0L);
                int[] prompt = new int[model.contextSize() - c.genTokens() - 1];
                SplittableRandom random = new SplittableRandom(7);
                int vocab = model.info().vocabularySize();
                for (int i = 0; i < prompt.length; i++) {
                    prompt[i] = 1000 + random.nextInt(Math.min(vocab, 30000) - 1000);
                }
                long p0 = System.nanoTime();
                result = model.submit(GenerationRequest.ofTokens(prompt).withMaxTokens(c.genTokens()).withIgnoreEos(true))
                        .result().join();
                promptSeconds = (System.nanoTime() - p0) / 1e9;
            } finally {
                sampler.stop();
            }
            allocationFailures = warnings.allocationFailures();
        }
        Files.deleteIfExists(file);

        DevicePlan d = placement.gpus().get(0);
        String gpu = setup.gpus().get(0);
        DeviceMeasure m = new DeviceMeasure(gpu, ProofPlanner.layers(d), -1, sampler.peakUsed(gpu), c.cap(), "");
        notes.addAll(ProofPlanner.describe(placement));
        notes.add(String.format(Locale.ROOT, "predicted %s total %,d MiB (CUDA context %,d MiB + plan %,d MiB); the loader "
                        + "measured %,d MiB after its warm-up", gpu, (setup.contextBytes(0) + d.totalBytes()) >> 20,
                setup.contextBytes(0) >> 20, d.totalBytes() >> 20, measuredAtLoad >> 20));
        notes.add(String.format(Locale.ROOT, "context %d filled: prompt %d tokens + %d generated in %.1f s (prompt %.0f tokens/s): %s",
                c.model().context(), result.promptTokens(), result.generatedTokens(), promptSeconds,
                result.promptTokensPerSecond(), result.finishReason()));
        if (result.finishReason() != FinishReason.LENGTH || result.generatedTokens() != c.genTokens()) {
            failures.add("generation ended " + result.finishReason() + " after " + result.generatedTokens() + " of "
                    + c.genTokens() + " tokens" + result.errorMessage().map(e -> ": " + e).orElse(""));
        }
        if (placement.gpuLayers() == 0 || placement.cpuLayers() == 0 && placement.overrides().isEmpty()) {
            failures.add("the case must put part of the model on the GPU and part on the CPU; the plan put "
                    + placement.gpuLayers() + " layers (n_gpu_layers) on the GPU and " + placement.cpuLayers() + " on the CPU");
        }
        allocationFailures.forEach(w -> failures.add("the loader caught an allocation failure (CUDA out of memory): " + w));
        return new CaseResult("pressure", c.name(), c.title(), (System.nanoTime() - t0) / 1e9, List.of(m), notes, failures);
    }
}
