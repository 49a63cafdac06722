package dev.strata.runtime;

/** A request reached a model that is closing or closed (unloaded, evicted or its engine closed). */
public final class ModelClosedException extends IllegalStateException {
    public ModelClosedException(String model) {
        super("model " + model + " is closed; load it again");
    }
}
