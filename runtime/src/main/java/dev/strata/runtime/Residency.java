package dev.strata.runtime;

/** Whether a model the registry knows is in memory. Changed only by {@link ModelRegistry}. */
public enum Residency {
    /** Known (by name and path), not in memory. */
    NOT_LOADED,
    /** Being loaded; requests for it wait for this one load. */
    LOADING,
    /** In memory and serving. */
    LOADED
}
