package dev.strata.memory.plan;

/** A planner's answer: a {@link Placement}, or a {@link PlanRefusal} that says what does not fit where. */
public sealed interface PlanResult permits Placement, PlanRefusal {}
