package dev.strata.runtime.load;

import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import java.util.HashMap;
import java.util.Map;

/**
 * What failed attempts taught about each GPU, applied to the budgets of the next plan. A device that
 * could not allocate the {@code failedAt} bytes planned for it must get less next time:
 * <ul>
 *   <li>when its free memory, read again after the failed attempt was freed, already leaves a budget
 *       below {@code failedAt}, the reading explains the failure (another process took the memory)
 *       and the budget stands as read;</li>
 *   <li>otherwise the reading did not see the problem (the estimate was short, or the figure is not
 *       measured), and the device gets at most {@code failedAt} less the shortfall.</li>
 * </ul>
 * Either way the next plan puts less on the device than the one that failed. Immutable.
 *
 * <pre>{@code
 * GpuCaps caps = GpuCaps.NONE.lowered(DeviceId.cuda(0), 6 * GIB, 2 * GIB);  // planned 6 GiB, 2 GiB failed
 * caps.apply(budgetOf7GiB);                                                 // cuda0: at most 4 GiB
 * caps.apply(budgetOf3GiB);                                                 // unchanged: 3 GiB
 * }</pre>
 */
record GpuCaps(Map<DeviceId, Limit> limits) {
    static final GpuCaps NONE = new GpuCaps(Map.of());

    /**
     * @param failedAt bytes planned on the device by the smallest placement that failed there
     * @param cap      at most this much when the free memory read does not explain the failure
     */
    record Limit(long failedAt, long cap) {}

    GpuCaps {
        limits = Map.copyOf(limits);
    }

    /** These caps after {@code device} failed to allocate {@code shortfall} bytes of the {@code failedAt} planned there. */
    GpuCaps lowered(DeviceId device, long failedAt, long shortfall) {
        Limit next = new Limit(failedAt, Math.max(0, failedAt - Math.max(1, shortfall)));
        Map<DeviceId, Limit> all = new HashMap<>(limits);
        all.merge(device, next, (a, b) -> new Limit(Math.min(a.failedAt(), b.failedAt()), Math.min(a.cap(), b.cap())));
        return new GpuCaps(all);
    }

    /**
     * {@code budget} as the next plan may use it. The cap goes on top of what other models hold
     * there, since a budget's cap counts everything Strata holds on the device.
     */
    DeviceBudget apply(DeviceBudget budget) {
        Limit limit = limits.get(budget.device());
        if (limit == null || budget.budgetBytes() < limit.failedAt() || budget.budgetBytes() <= limit.cap()) {
            return budget;
        }
        long held = budget.heldBytes();
        long cap = held > Long.MAX_VALUE - limit.cap() ? Long.MAX_VALUE : held + limit.cap();
        return budget.withCapBytes(Math.min(cap, budget.capBytes()));
    }
}
