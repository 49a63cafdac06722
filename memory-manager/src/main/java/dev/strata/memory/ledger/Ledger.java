package dev.strata.memory.ledger;

import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Device memory promised to models, per model and device, in bytes. One per engine (an ordinary
 * object handed to whoever loads models, not a global), so that two loads at once cannot overbook a
 * device: {@link #reserve} checks and records under one lock.
 *
 * <pre>{@code
 * Ledger ledger = new Ledger();
 * List<DeviceBudget> budgets = inventory.read().devices().stream().map(DeviceBudget::of).toList();
 * try (Reservation r = ledger.reserve("llama-8b", Map.of(DeviceId.cuda(0), 6L << 30), budgets)) {
 *     model = load(...);
 *     ledger.replace("llama-8b", measuredBytesPerDevice);  // the estimate becomes what was measured
 *     ...
 * }                                                          // close() releases, once
 * ledger.held(DeviceId.cuda(0));                             // 0 again
 * }</pre>
 *
 * <p>Thread-safe. Every method holds one private lock for a few map operations and never waits
 * or calls out while holding it.
 */
public final class Ledger {

    private final Object lock = new Object();
    /** Guarded by {@code lock}. Model id → what it holds. */
    private final Map<String, Holding> holdings = new LinkedHashMap<>();

    /** One model's figures; the token tells its {@link Reservation} apart from a later one of the same id. */
    private record Holding(Object token, Map<DeviceId, Long> bytes) {
    }

    /**
     * Reserves {@code bytes} per device for {@code modelId} if every device's budget has room, all or
     * nothing. Each budget is checked with its {@code heldBytes} replaced by what this ledger holds
     * for other models at that moment, under the lock, so a budget computed a moment ago cannot let
     * two loads overbook; cap, free and reserve are taken as given.
     *
     * @param modelId who holds the memory; one reservation per id at a time
     * @param bytes   bytes per device, each {@code >= 0}; devices with 0 are not recorded
     * @param budgets one budget for each device in {@code bytes} that asks for more than 0 (others are ignored)
     * @return the handle whose {@link Reservation#close()} releases it; the caller owns it
     * @throws InsufficientMemoryException naming every device that lacks room and by how much;
     *                                     nothing was reserved
     * @throws IllegalStateException       if {@code modelId} already holds a reservation
     * @throws IllegalArgumentException    for a negative figure, or a device without a budget
     */
    public Reservation reserve(String modelId, Map<DeviceId, Long> bytes, Collection<DeviceBudget> budgets)
            throws InsufficientMemoryException {
        Objects.requireNonNull(modelId, "modelId");
        Map<DeviceId, Long> wanted = checked(modelId, bytes);
        Map<DeviceId, DeviceBudget> budgetOf = new HashMap<>();
        for (DeviceBudget b : budgets) {
            if (budgetOf.put(b.device(), b) != null) {
                throw new IllegalArgumentException("two budgets for " + b.device());
            }
        }
        for (DeviceId device : wanted.keySet()) {
            if (!budgetOf.containsKey(device)) {
                throw new IllegalArgumentException("model " + modelId + " asks for "
                        + ByteSize.format(wanted.get(device)) + " on " + device + ", which has no budget");
            }
        }
        Object token = new Object();
        synchronized (lock) {
            Holding existing = holdings.get(modelId);
            if (existing != null) {
                throw new IllegalStateException("model " + modelId + " already holds " + describe(existing.bytes)
                        + "; release it first, or replace() its figures");
            }
            List<Shortfall> shortfalls = new ArrayList<>();
            for (Map.Entry<DeviceId, Long> e : wanted.entrySet()) {
                DeviceId device = e.getKey();
                Map<String, Long> heldBy = heldByLocked(device, modelId);
                long held = heldBy.values().stream().mapToLong(Long::longValue).sum();
                DeviceBudget budget = budgetOf.get(device).withHeldBytes(held, 0);
                if (e.getValue() > budget.budgetBytes()) {
                    shortfalls.add(new Shortfall(device, e.getValue(), budget, heldBy));
                }
            }
            if (!shortfalls.isEmpty()) {
                throw new InsufficientMemoryException(modelId, shortfalls);
            }
            holdings.put(modelId, new Holding(token, wanted));
        }
        return new Reservation(this, modelId, token);
    }

    /**
     * Replaces what {@code modelId} holds with measured figures, without a budget check: what was
     * measured is in use whether it fits or not, and later reservations must see it.
     *
     * @param measured bytes per device, each {@code >= 0}
     * @return what it held before, for estimate-versus-measured reports
     * @throws IllegalStateException if {@code modelId} holds nothing
     */
    public Map<DeviceId, Long> replace(String modelId, Map<DeviceId, Long> measured) {
        Objects.requireNonNull(modelId, "modelId");
        Map<DeviceId, Long> figures = checked(modelId, measured);
        synchronized (lock) {
            Holding existing = holdings.get(modelId);
            if (existing == null) {
                throw new IllegalStateException("model " + modelId + " holds no reservation to replace");
            }
            holdings.put(modelId, new Holding(existing.token, figures));
            return existing.bytes;
        }
    }

    /**
     * Releases what {@code modelId} holds, if anything.
     *
     * @return whether it held anything
     */
    public boolean release(String modelId) {
        Objects.requireNonNull(modelId, "modelId");
        synchronized (lock) {
            return holdings.remove(modelId) != null;
        }
    }

    /** Releases {@code modelId}'s reservation only if it is still the one {@code token} made. */
    boolean release(String modelId, Object token) {
        synchronized (lock) {
            Holding h = holdings.get(modelId);
            if (h != null && h.token == token) {
                holdings.remove(modelId);
                return true;
            }
            return false;
        }
    }

    /** Bytes held on {@code device} by all models. */
    public long held(DeviceId device) {
        return held(device, null);
    }

    /**
     * Bytes held on {@code device} by every model but {@code excludingModelId} (null excludes none):
     * the {@code heldBytes} of that model's {@link DeviceBudget}.
     */
    public long held(DeviceId device, String excludingModelId) {
        Objects.requireNonNull(device, "device");
        synchronized (lock) {
            return heldByLocked(device, excludingModelId).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Models holding memory on {@code device}, and how much, largest first. */
    public Map<String, Long> heldBy(DeviceId device) {
        Objects.requireNonNull(device, "device");
        synchronized (lock) {
            return heldByLocked(device, null);
        }
    }

    /** What {@code modelId} holds per device (devices in order); empty if nothing. */
    public Map<DeviceId, Long> reservation(String modelId) {
        Objects.requireNonNull(modelId, "modelId");
        synchronized (lock) {
            Holding h = holdings.get(modelId);
            return h == null ? Map.of() : h.bytes;
        }
    }

    /** What {@code modelId} holds if {@code token} still names its reservation, else null. */
    Map<DeviceId, Long> reservation(String modelId, Object token) {
        synchronized (lock) {
            Holding h = holdings.get(modelId);
            return h != null && h.token == token ? h.bytes : null;
        }
    }

    private Map<String, Long> heldByLocked(DeviceId device, String excludingModelId) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        holdings.forEach((model, h) -> {
            Long bytes = h.bytes.get(device);
            if (bytes != null && !model.equals(excludingModelId)) {
                entries.add(Map.entry(model, bytes));
            }
        });
        entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        Map<String, Long> result = new LinkedHashMap<>();
        entries.forEach(e -> result.put(e.getKey(), e.getValue()));
        return result;
    }

    /** Validates and copies figures: sorted by device, zeros dropped, immutable. */
    private static Map<DeviceId, Long> checked(String modelId, Map<DeviceId, Long> bytes) {
        Map<DeviceId, Long> sorted = new TreeMap<>();
        bytes.forEach((device, n) -> {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(n, "bytes");
            if (n < 0) {
                throw new IllegalArgumentException("model " + modelId + ": " + n + " bytes on " + device + " is negative");
            }
            if (n > 0) {
                sorted.put(device, n);
            }
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
    }

    private static String describe(Map<DeviceId, Long> bytes) {
        if (bytes.isEmpty()) {
            return "nothing";
        }
        List<String> each = new ArrayList<>();
        bytes.forEach((d, n) -> each.add(ByteSize.format(n) + " on " + d));
        return String.join(", ", each);
    }
}
