package dev.strata.models.gpu;

import dev.strata.memory.device.DeviceId;
import dev.strata.models.proof.CaseResult;
import dev.strata.models.proof.DeviceMeasure;
import dev.strata.models.proof.ProofCases;
import dev.strata.models.proof.ProofCases.ModelCase;
import dev.strata.models.proof.ProofCases.OpsCase;
import dev.strata.models.proof.RandomOps;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A seeded random sequence of at least 100 load / unload / generate operations ({@link RandomOps}) over
 * three models, through the engine's registry under a cap on CUDA0 that holds two of them but not
 * three: loads evict idle models or place layers on the CPU, as the registry decides. Pass: every
 * operation completes (no exception, every generation gives all its tokens), the loader caught no
 * allocation failure (no CUDA out of memory), the sampled peak never goes over the cap, and the ledger
 * holds nothing on CUDA0 once every model is unloaded.
 *
 * <pre>{@code
 * STRATA_OPS_COUNT=100 STRATA_OPS_SEED=1 java -cp ... dev.strata.models.gpu.ProofRun ops ops-10g WORK stories260K.gguf results.jsonl
 * }</pre>
 */
final class OpsRun {
    private OpsRun() {}

    static CaseResult run(Path work, Path stories) throws Exception {
        OpsCase c = ProofCases.H100_OPS;
        int count = Integer.parseInt(System.getenv().getOrDefault("STRATA_OPS_COUNT", Integer.toString(c.count())));
        long seed = Long.parseLong(System.getenv().getOrDefault("STRATA_OPS_SEED", Long.toString(c.seed())));
        long t0 = System.nanoTime();
        System.out.println("=== ops " + c.name() + ": " + c.title() + " (" + count + " operations, seed " + seed + ")");
        ProofSetup setup = ProofSetup.start(stories, 1);
        List<String> names = new ArrayList<>();
        Map<String, Path> files = new TreeMap<>();
        for (ModelCase m : c.models()) {
            files.put(m.shape(), ProofSetup.write(m, work, DataMode.SPARSE));
            names.add(m.shape());
        }
        List<RandomOps.Op> ops = RandomOps.generate(names, count, seed);
        List<String> notes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<RandomOps.Kind, List<Double>> millis = new EnumMap<>(RandomOps.Kind.class);
        int loads = 0;
        int partial = 0;
        int unloadsOfNothing = 0;
        long heldAfter;
        List<String> allocationFailures;
        List<String> evictions;
        DevicePeakSampler sampler = new DevicePeakSampler(setup.llama(), setup.gpus());
        SplittableRandom tokens = new SplittableRandom(seed);
        try (LoaderWarnings warnings = LoaderWarnings.install()) {
            sampler.start();
            try (Engine engine = setup.engine(setup.caps(List.of(c.cap()), 0).withRegistry(RegistryOptions.defaults()))) {
                ModelRegistry registry = engine.registry();
                for (ModelCase m : c.models()) {
                    registry.define(m.shape(), files.get(m.shape()),
                            LoadOptions.planned().withContextSize(m.context()).withSequences(1));
                }
                for (RandomOps.Op op : ops) {
                    Set<String> before = loaded(registry);
                    long s = System.nanoTime();
                    String outcome;
                    try {
                        outcome = switch (op.kind()) {
                            case LOAD -> {
                                Model m = registry.load(op.model());
                                yield "loaded, " + m.placement().map(p -> p.reason()).orElse("?");
                            }
                            case UNLOAD -> registry.unload(op.model()) ? "unloaded" : "was not loaded";
                            case GENERATE -> generate(registry, op, tokens, failures);
                        };
                    } catch (RuntimeException e) {
                        outcome = "FAILED: " + e;
                        failures.add("operation " + op.index() + " (" + op.kind() + " " + op.model() + ") failed: " + e);
                    }
                    double ms = (System.nanoTime() - s) / 1e6;
                    millis.computeIfAbsent(op.kind(), k -> new ArrayList<>()).add(ms);
                    Set<String> after = loaded(registry);
                    if (!before.contains(op.model()) && after.contains(op.model())) {
                        loads++;
                        if (registry.loaded(op.model()).flatMap(Model::placement)
                                .map(p -> p.cpuLayers() > 0 || !p.overrides().isEmpty()).orElse(false)) {
                            partial++;
                        }
                    }
                    if (op.kind() == RandomOps.Kind.UNLOAD && outcome.equals("was not loaded")) {
                        unloadsOfNothing++;
                    }
                    System.out.printf(Locale.ROOT, "op %3d %-8s %-16s %7.0f ms  %s; in memory %s%n", op.index(), op.kind(),
                            op.model(), ms, outcome, after);
                }
                for (String n : names) {
                    registry.unload(n);
                }
                heldAfter = engine.ledger().held(DeviceId.cuda(0));
            } finally {
                sampler.stop();
            }
            allocationFailures = warnings.allocationFailures();
            evictions = warnings.evictions();
        }
        for (Path f : files.values()) {
            Files.deleteIfExists(f);
        }
        String gpu = setup.gpus().get(0);
        DeviceMeasure m = new DeviceMeasure(gpu, "up to three models", -1, sampler.peakUsed(gpu), c.cap(), "");
        Map<RandomOps.Kind, Long> kinds = ops.stream().collect(Collectors.groupingBy(RandomOps.Op::kind,
                () -> new EnumMap<>(RandomOps.Kind.class), Collectors.counting()));
        notes.add(String.format(Locale.ROOT, "%d operations (seed %d): %s; %d loads (%d of them with layers or experts on "
                        + "the CPU), %d evictions by the registry, %d unloads found the model already gone",
                ops.size(), seed, kinds, loads, partial, evictions.size(), unloadsOfNothing));
        millis.forEach((k, v) -> notes.add(String.format(Locale.ROOT, "%s: %d operations, median %.0f ms, max %.0f ms, total %.1f s",
                k, v.size(), median(v), v.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                v.stream().mapToDouble(Double::doubleValue).sum() / 1000)));
        notes.add(String.format(Locale.ROOT, "ledger after unloading all: %,d bytes held on %s", heldAfter, gpu));
        if (ops.size() < 100) {
            failures.add("only " + ops.size() + " operations; the proof asks for at least 100 (STRATA_OPS_COUNT)");
        }
        if (heldAfter != 0) {
            failures.add("the ledger still holds " + heldAfter + " bytes on " + gpu + " after every model was unloaded");
        }
        allocationFailures.forEach(w -> failures.add("the loader caught an allocation failure (CUDA out of memory): " + w));
        return new CaseResult("ops", c.name(), c.title(), (System.nanoTime() - t0) / 1e9, List.of(m), notes, failures);
    }

    private static String generate(ModelRegistry registry, RandomOps.Op op, SplittableRandom random, List<String> failures) {
        int[] prompt = new int[op.promptTokens()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1000 + random.nextInt(30000);
        }
        GenerationResult r = registry.submit(op.model(), GenerationRequest.ofTokens(prompt).withMaxTokens(op.maxTokens())
                .withIgnoreEos(true)).result().join();
        if (r.finishReason() != FinishReason.LENGTH || r.generatedTokens() != op.maxTokens()) {
            failures.add("operation " + op.index() + " (GENERATE " + op.model() + ") ended " + r.finishReason() + " after "
                    + r.generatedTokens() + " of " + op.maxTokens() + " tokens" + r.errorMessage().map(e -> ": " + e).orElse(""));
        }
        return "generated " + r.generatedTokens() + " after " + r.promptTokens() + " prompt tokens";
    }

    private static Set<String> loaded(ModelRegistry registry) {
        return registry.models().stream().filter(m -> m.residency() == Residency.LOADED).map(RegisteredModel::name)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.isEmpty() ? 0 : s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
