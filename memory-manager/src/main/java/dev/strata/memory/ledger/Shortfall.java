package dev.strata.memory.ledger;

import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One device on which a reservation did not fit, with the figures that decided it. All in bytes.
 *
 * <pre>{@code
 * catch (InsufficientMemoryException e) {
 *     for (Shortfall s : e.shortfalls()) {
 *         evictIdleModels(s.device(), s.missingBytes());
 *     }
 * }
 * }</pre>
 *
 * @param device      the device
 * @param neededBytes what the reservation asked for on it
 * @param budget      the budget it was checked against, its held figures (pending and allocated) as
 *                    the ledger held them then
 * @param heldBy      the other models holding memory on it and how much, largest first
 */
public record Shortfall(DeviceId device, long neededBytes, DeviceBudget budget, Map<String, Long> heldBy) {

    public Shortfall {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(budget, "budget");
        heldBy = Collections.unmodifiableMap(new LinkedHashMap<>(heldBy));
    }

    /** How much more than the budget was asked for: {@code neededBytes − budget.budgetBytes()}. */
    public long missingBytes() {
        return neededBytes - budget.budgetBytes();
    }

    /**
     * {@code cuda0 needs 9.4 GiB, 4.1 GiB free after the 1 GiB reserve and 2.0 GiB held by model X
     * (7.1 GiB free on the device), short by 5.3 GiB}.
     */
    public String describe() {
        return device + " needs " + ByteSize.format(neededBytes) + ", " + budget.explain(holders())
                + ", short by " + ByteSize.format(missingBytes());
    }

    private String holders() {
        if (heldBy.size() == 1) {
            return "model " + heldBy.keySet().iterator().next();
        }
        List<String> each = new ArrayList<>();
        heldBy.forEach((model, bytes) -> each.add(model + " " + ByteSize.format(bytes)));
        return "models " + String.join(", ", each);
    }
}
