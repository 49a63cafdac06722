package dev.strata.memory.plan;

import java.util.List;

/**
 * The model cannot run under these budgets, not even on the CPU.
 *
 * @param reason  one sentence with the numbers: what needs how much, where, against what
 * @param closest the smallest placement tried (all on the CPU), so the caller can show it
 */
public record PlanRefusal(String reason, List<DevicePlan> closest) implements PlanResult {
    public PlanRefusal {
        closest = List.copyOf(closest);
    }
}
