package dev.strata.memory.plan;

/**
 * Strata cannot predict this model's memory, so it will not place it: its architecture's memory (a
 * recurrent state, a hybrid cache) is not modelled, or its header's hyperparameters contradict each other
 * (llama.cpp would refuse them too). The message says which; the model can still be loaded with explicit
 * layer counts, outside the planner.
 *
 * <pre>{@code
 * try {
 *     Planner.plan(shape, gpus, request);
 * } catch (UnplannableModelException e) {
 *     System.err.println(e.getMessage()); // "cannot plan 'rwkv6': the RECURRENT memory ... is not modelled"
 * }
 * }</pre>
 */
public class UnplannableModelException extends RuntimeException {
    private final String architecture;

    public UnplannableModelException(String architecture, String why, Throwable cause) {
        super("cannot plan '" + architecture + "': " + why, cause);
        this.architecture = architecture;
    }

    /** The model's {@code general.architecture}. */
    public String architecture() {
        return architecture;
    }
}
