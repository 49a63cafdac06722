package dev.strata.models.gpu;

import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.models.proof.CaseResult;
import dev.strata.models.proof.DeviceMeasure;
import dev.strata.models.proof.ProofCases;
import dev.strata.models.proof.ProofCases.Layout;
import dev.strata.models.proof.ProofCases.ModelCase;
import dev.strata.models.proof.ProofCases.PlacementCase;
import dev.strata.models.proof.ProofPlanner;
import dev.strata.models.synth.DataMode;
import dev.strata.runtime.Engine;
import dev.strata.runtime.FinishReason;
import dev.strata.runtime.GenerationRequest;
import dev.strata.runtime.GenerationResult;
import dev.strata.runtime.LoadOptions;
import dev.strata.runtime.Model;
import dev.strata.runtime.ModelRegistry;
import dev.strata.runtime.RegisteredModel;
import dev.strata.runtime.RegistryOptions;
import dev.strata.runtime.Residency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Placement and eviction across two GPUs through the registry, under a cap on each: models that fit
 * on one GPU go wholly on one (the second on the other GPU while the first is loaded), a third that
 * fits on neither beside the others evicts the least recently used one rather than going to the CPU
 * or splitting, and a fourth that fits on no single GPU is split across both. Pass: each model's
 * layout as expected, the first two on different GPUs, every generation complete, each GPU's peak
 * at or under its cap, no allocation failure caught by the loader.
 *
 * <pre>{@code
 * java -Dstrata.overhead.file=o.properties -cp ... dev.strata.models.gpu.ProofRun placement three-models-12+12 WORK stories260K.gguf results.jsonl
 * }</pre>
 */
final class PlacementRun {
    private PlacementRun() {}

    static CaseResult run(Path work, Path stories) throws Exception {
        PlacementCase c = ProofCases.X2_PLACEMENT;
        long t0 = System.nanoTime();
        System.out.println("=== placement " + c.name() + ": " + c.title());
        ProofSetup setup = ProofSetup.start(stories, c.caps().size());
        List<Path> files = new ArrayList<>();
        for (ModelCase m : c.models()) {
            files.add(ProofSetup.write(m, work, DataMode.SPARSE));
        }
        List<String> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        DevicePeakSampler sampler = new DevicePeakSampler(setup.llama(), setup.gpus());
        List<String> allocationFailures;
        try (LoaderWarnings warnings = LoaderWarnings.install()) {
            sampler.start();
            try (Engine engine = setup.engine(setup.caps(c.caps(), 0).withRegistry(RegistryOptions.defaults()))) {
                ModelRegistry registry = engine.registry();
                for (int i = 0; i < c.models().size(); i++) {
                    ModelCase m = c.models().get(i);
                    registry.define(name(i, m), files.get(i), LoadOptions.planned().withContextSize(m.context()).withSequences(1));
                }
                int firstGpu = -1;
                for (int i = 0; i < c.models().size(); i++) {
                    String name = name(i, c.models().get(i));
                    long l0 = System.nanoTime();
                    Model model = registry.load(name);
                    double loadSeconds = (System.nanoTime() - l0) / 1e9;
                    Placement p = model.placement().orElseThrow();
                    GenerationResult r = registry.submit(name, GenerationRequest.of("Once upon a time").withMaxTokens(4)
                            .withIgnoreEos(true)).result().join();
                    Layout layout = ProofPlanner.layout(p);
                    List<Integer> used = gpusWithLayers(p);
                    String state = registry.models().stream().map(x -> x.name() + "=" + x.residency())
                            .collect(Collectors.joining(", "));
                    notes.add(String.format(Locale.ROOT, "%s (%s): %s in %.1f s: %s; %s; registry: %s", name,
                            c.models().get(i).describe(), layout, loadSeconds, placementInWords(p), p.reason(), state));
                    if (layout != c.expected().get(i)) {
                        failures.add(name + " was placed " + layout + " (" + placementInWords(p) + "), expected "
                                + c.expected().get(i));
                    }
                    if (i == 0 && used.size() == 1) {
                        firstGpu = used.get(0);
                    }
                    if (i == 1 && used.size() == 1 && used.get(0) == firstGpu) {
                        failures.add(name + " went on the same GPU as " + name(0, c.models().get(0))
                                + " although the other GPU was free");
                    }
                    if (i == 2 && residency(registry, name(0, c.models().get(0))) != Residency.NOT_LOADED) {
                        failures.add("loading " + name + " did not evict the least recently used model "
                                + name(0, c.models().get(0)) + "; registry: " + state);
                    }
                    if (r.finishReason() != FinishReason.LENGTH || r.generatedTokens() != 4) {
                        failures.add(name + ": generation ended " + r.finishReason() + " after " + r.generatedTokens()
                                + " of 4 tokens" + r.errorMessage().map(e -> ": " + e).orElse(""));
                    }
                }
            } finally {
                sampler.stop();
            }
            allocationFailures = warnings.allocationFailures();
            notes.add("evictions: " + (warnings.evictions().isEmpty() ? "none" : String.join("; ", warnings.evictions())));
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        List<DeviceMeasure> devices = new ArrayList<>();
        for (int i = 0; i < setup.gpus().size(); i++) {
            String gpu = setup.gpus().get(i);
            devices.add(new DeviceMeasure(gpu, "as each load placed them", -1, sampler.peakUsed(gpu), c.caps().get(i), ""));
        }
        allocationFailures.forEach(w -> failures.add("the loader caught an allocation failure (CUDA out of memory): " + w));
        return new CaseResult("placement", c.name(), c.title(), (System.nanoTime() - t0) / 1e9, devices, notes, failures);
    }

    private static String name(int i, ModelCase m) {
        return (char) ('A' + i) + ":" + m.shape();
    }

    private static Residency residency(ModelRegistry registry, String name) {
        return registry.models().stream().filter(m -> m.name().equals(name)).map(RegisteredModel::residency).findFirst()
                .orElseThrow();
    }

    private static List<Integer> gpusWithLayers(Placement p) {
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < p.gpus().size(); i++) {
            DevicePlan d = p.gpus().get(i);
            if (d.layerCount() > 0 || d.output()) {
                used.add(i);
            }
        }
        return used;
    }

    private static String placementInWords(Placement p) {
        List<String> parts = new ArrayList<>();
        for (DevicePlan d : p.gpus()) {
            if (d.layerCount() > 0 || d.output()) {
                parts.add(d.device() + " " + ProofPlanner.layers(d));
            }
        }
        if (p.cpuLayers() > 0) {
            parts.add("cpu " + p.cpuLayers() + " layers");
        }
        if (!p.overrides().isEmpty()) {
            parts.add("experts on the cpu");
        }
        return String.join(", ", parts);
    }
}
