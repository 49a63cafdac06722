package dev.strata.models.proof;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded, random sequence of registry operations over a few models, for the pressure proof: about
 * half generations (which load the model first when it is not in memory), a quarter explicit loads and
 * a quarter unloads. Unloads go to a model this sequence loaded and did not unload since (the registry
 * may have evicted it meanwhile: then the unload finds nothing, which is allowed). The same seed always
 * gives the same sequence; every model gets every kind of operation when the sequence is long enough
 * (at least 4 × models operations: the opening visits each model with LOAD, GENERATE and UNLOAD).
 *
 * <pre>{@code
 * for (RandomOps.Op op : RandomOps.generate(List.of("phi3", "qwen7b", "llama8b"), 100, 42)) {
 *     switch (op.kind()) { case LOAD -> registry.load(op.model()); ... }
 * }
 * }</pre>
 */
public final class RandomOps {
    /** What one operation does. */
    public enum Kind {
        /** {@code registry.load(model)}: loads it, evicting idle models when the cap asks for room. */
        LOAD,
        /** {@code registry.unload(model)}: closes it if it is in memory. */
        UNLOAD,
        /** {@code registry.submit(model, prompt)}: loads it if needed, then generates. */
        GENERATE
    }

    /**
     * One operation.
     *
     * @param index        position in the sequence, from 0
     * @param kind         what to do
     * @param model        which model
     * @param promptTokens for GENERATE, the prompt's length in tokens (1..64); else 0
     * @param maxTokens    for GENERATE, tokens to generate (1..8); else 0
     */
    public record Op(int index, Kind kind, String model, int promptTokens, int maxTokens) {}

    private RandomOps() {}

    /**
     * {@code count} operations over {@code models}, from {@code seed}.
     *
     * @throws IllegalArgumentException when there are no models, or {@code count} is below 1
     */
    public static List<Op> generate(List<String> models, int count, long seed) {
        if (models.isEmpty() || count < 1) {
            throw new IllegalArgumentException("need at least one model and one operation, not " + models.size()
                    + " models and " + count + " operations");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Op> ops = new ArrayList<>(count);
        Set<String> loaded = new LinkedHashSet<>();
        // Opening: each model loaded, used and unloaded once, so short sequences still cover everything.
        if (count >= 4 * models.size()) {
            for (String m : models) {
                ops.add(new Op(ops.size(), Kind.LOAD, m, 0, 0));
                ops.add(generation(ops.size(), m, random));
            }
            for (String m : models) {
                ops.add(new Op(ops.size(), Kind.UNLOAD, m, 0, 0));
            }
        }
        while (ops.size() < count) {
            int roll = random.nextInt(4);
            String model = models.get(random.nextInt(models.size()));
            if (roll <= 1) {
                ops.add(generation(ops.size(), model, random));
                loaded.add(model);
            } else if (roll == 2 || loaded.isEmpty()) {
                ops.add(new Op(ops.size(), Kind.LOAD, model, 0, 0));
                loaded.add(model);
            } else {
                List<String> candidates = List.copyOf(loaded);
                String victim = candidates.get(random.nextInt(candidates.size()));
                ops.add(new Op(ops.size(), Kind.UNLOAD, victim, 0, 0));
                loaded.remove(victim);
            }
        }
        return List.copyOf(ops);
    }

    private static Op generation(int index, String model, SplittableRandom random) {
        return new Op(index, Kind.GENERATE, model, 1 + random.nextInt(64), 1 + random.nextInt(8));
    }
}
