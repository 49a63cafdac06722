package dev.strata.runtime;

import dev.strata.memory.plan.PlanRefusal;
import java.util.List;
import java.util.Optional;

/**
 * A planned load ({@link LoadOptions#PLANNED}) found no room for the model: the planner refused it
 * (even all on the CPU it needs more host RAM than the budget), the devices' budgets shrank between
 * planning and reserving (another load took the memory), or every placement tried, down to all on the
 * CPU, failed to allocate. Nothing was loaded and nothing stays
 * reserved. The message carries the numbers; act on it by asking for a smaller context, freeing host
 * RAM, or closing another model.
 *
 * <pre>{@code
 * try {
 *     model = engine.load(path, LoadOptions.planned().withContextSize(32768));
 * } catch (ModelDoesNotFitException e) {
 *     model = engine.load(path, LoadOptions.planned().withContextSize(8192));
 * }
 * }</pre>
 */
public class ModelDoesNotFitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient PlanRefusal refusal;

    /** The planner refused the model: {@link PlanRefusal#reason()} says why, with the numbers. */
    public ModelDoesNotFitException(String model, PlanRefusal refusal) {
        super("model " + model + " does not fit: " + refusal.reason()
                + "; ask for a smaller context, free memory, or close another model");
        this.refusal = refusal;
    }

    /** The ledger refused the planned reservation (budgets changed since the plan); {@code cause} names the devices. */
    public ModelDoesNotFitException(String model, Exception cause) {
        super("model " + model + " was planned but its reservation no longer fits: " + cause.getMessage()
                + "; another model took the memory meanwhile, load again to re-plan", cause);
        this.refusal = null;
    }

    private ModelDoesNotFitException(String message) {
        super(message);
        this.refusal = null;
    }

    /** A registry already holds its most models and none of them may be evicted now. */
    public static ModelDoesNotFitException registryFull(String model, int maxLoaded) {
        return new ModelDoesNotFitException("model " + model + " cannot load: " + maxLoaded
                + " models are loaded, the most this registry keeps, and every one is busy, pinned or within its"
                + " keep-alive time; unload one, or raise the limit");
    }

    /**
     * Every placement tried failed to allocate, the last on the CPU or on a host that ran short:
     * {@code attempts} says what each placed and why it failed; the last failure is the cause, the
     * earlier ones are suppressed exceptions of this one.
     */
    public ModelDoesNotFitException(String model, List<String> attempts, List<? extends Exception> failures) {
        super("model " + model + " could not be allocated in " + attempts.size() + " attempt"
                + (attempts.size() == 1 ? "" : "s") + ": " + String.join("; ", attempts)
                + "; free host memory, ask for a smaller context, or close another model",
                failures.isEmpty() ? null : failures.get(failures.size() - 1));
        failures.stream().limit(Math.max(0, failures.size() - 1)).forEach(this::addSuppressed);
        this.refusal = null;
    }

    /** The planner's refusal, with the closest (all-CPU) placement it tried; empty when the ledger refused. */
    public Optional<PlanRefusal> refusal() {
        return Optional.ofNullable(refusal);
    }
}
