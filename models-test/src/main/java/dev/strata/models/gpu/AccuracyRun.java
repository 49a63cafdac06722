package dev.strata.models.gpu;

import dev.strata.llama.MemoryBreakdown;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.models.proof.CaseResult;
import dev.strata.models.proof.DeviceMeasure;
import dev.strata.models.proof.ProofCases;
import dev.strata.models.proof.ProofCases.AccuracyCase;
import dev.strata.models.proof.ProofCases.Layout;
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

/**
 * Predicted against measured peak per GPU for one accuracy case (single GPU, the seed case, or a layer
 * split across two), through the engine as a user loads a model: the case's caps become the engine's
 * per-device caps (less the CUDA context), the planner places the sparse model, the loader loads
 * exactly that and warms up at the largest micro-batch, then 16 tokens are generated. Device use is
 * sampled every 2 ms on every GPU of the case. Pass: every GPU's peak within max(1%, 64 MiB) of the
 * prediction (CUDA context + the plan's total there) and at or under its cap, no allocation failure
 * caught by the loader, 16 tokens generated.
 *
 * <pre>{@code
 * java -Dstrata.overhead.file=o.properties -cp ... dev.strata.models.gpu.ProofRun accuracy seed-x2 WORK stories260K.gguf results.jsonl
 * }</pre>
 */
final class AccuracyRun {
    private AccuracyRun() {}

    static CaseResult run(String name, Path work, Path stories) throws Exception {
        AccuracyCase c = ProofCases.accuracy(name);
        long t0 = System.nanoTime();
        System.out.println("=== " + c.part() + " " + c.name() + ": " + c.title());
        ProofSetup setup = ProofSetup.start(stories, c.caps().size());
        Path file = ProofSetup.write(c.model(), work, DataMode.SPARSE);
        List<String> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        DevicePeakSampler sampler = new DevicePeakSampler(setup.llama(), setup.gpus());
        Placement placement;
        GenerationResult result;
        MemoryBreakdown breakdown;
        double loadSeconds;
        List<String> allocationFailures;
        try (LoaderWarnings warnings = LoaderWarnings.install()) {
            sampler.start();
            try (Engine engine = setup.engine(setup.caps(c.caps(), c.reserveBytes()))) {
                long l0 = System.nanoTime();
                try (Model model = engine.load(file, LoadOptions.planned().withContextSize(c.model().context()).withSequences(1))) {
                    loadSeconds = (System.nanoTime() - l0) / 1e9;
                    placement = model.placement().orElseThrow();
                    breakdown = model.memoryBreakdown();
                    result = model.submit(GenerationRequest.of("Once upon a time").withMaxTokens(16).withIgnoreEos(true))
                            .result().join();
                }
            } finally {
                sampler.stop();
            }
            allocationFailures = warnings.allocationFailures();
        }
        Files.deleteIfExists(file);

        List<DeviceMeasure> devices = new ArrayList<>();
        for (int i = 0; i < setup.gpus().size(); i++) {
            String gpu = setup.gpus().get(i);
            DevicePlan d = placement.gpus().get(i);
            long predicted = setup.contextBytes(i) + d.totalBytes();
            devices.add(new DeviceMeasure(gpu, ProofPlanner.layers(d), predicted, sampler.peakUsed(gpu), c.caps().get(i),
                    breakdownOf(breakdown, gpu)));
        }
        notes.addAll(ProofPlanner.describe(placement));
        for (int i = 0; i < setup.gpus().size(); i++) {
            String gpu = setup.gpus().get(i);
            notes.add(String.format(Locale.ROOT, "%s: CUDA context %,d MiB, runtime overhead measured %,d MiB; peak %,d MiB "
                            + "under the %,d MiB cap%s", gpu, setup.contextBytes(i) >> 20, setup.overheads().get(i).runtimeBytes() >> 20,
                    (c.caps().get(i) - sampler.peakUsed(gpu)) >> 20, c.caps().get(i) >> 20,
                    c.reserveBytes() > 0 ? String.format(Locale.ROOT, " (the plan kept a %,d MiB reserve under it)", c.reserveBytes() >> 20) : ""));
        }
        Layout layout = ProofPlanner.layout(placement);
        if (layout != c.layout()) {
            notes.add("placement is " + layout + "; the case was chosen to be " + c.layout()
                    + " (the accuracy check holds either way)");
        }
        notes.add(String.format(Locale.ROOT, "load (plan, load, warm-up at micro-batch 512, measure) %.1f s; generated %d tokens "
                        + "(%d characters) at %.1f tokens/s: %s", loadSeconds, result.generatedTokens(), result.text().length(),
                result.tokensPerSecond(), result.finishReason()));
        if (result.finishReason() != FinishReason.LENGTH || result.generatedTokens() != 16) {
            failures.add("generation ended " + result.finishReason() + " after " + result.generatedTokens() + " of 16 tokens"
                    + result.errorMessage().map(e -> ": " + e).orElse(""));
        }
        allocationFailures.forEach(w -> failures.add("the loader caught an allocation failure: " + w));
        return new CaseResult(c.part(), c.name(), c.title(), (System.nanoTime() - t0) / 1e9, devices, notes, failures);
    }

    /** "weights 22,703 MiB, KV 624 MiB, compute 342 MiB" for one device of llama.cpp's breakdown. */
    static String breakdownOf(MemoryBreakdown b, String device) {
        long weights = 0;
        long kv = 0;
        long compute = 0;
        for (MemoryBreakdown.Buffer x : b.buffers()) {
            if (!x.host() && x.device().equals(device)) {
                weights += x.modelBytes();
                kv += x.contextBytes();
                compute += x.computeBytes();
            }
        }
        return String.format(Locale.ROOT, "weights %,d MiB, KV %,d MiB, compute %,d MiB", weights >> 20, kv >> 20, compute >> 20);
    }
}
