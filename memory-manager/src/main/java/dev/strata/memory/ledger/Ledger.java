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
 * <p>A reservation is {@link ReservationState#PENDING} from {@link #reserve} until the model is loaded
 * and measured, then {@link ReservationState#ALLOCATED} from {@link #commit}. The difference matters to
 * the budget of the next model ({@link DeviceBudget#budgetBytes()}): a free figure read from the device
 * after a model was committed already lacks its memory, so the ledger takes it off the cap only, not
 * off free a second time. To know which commits a free figure can show, take an {@link Epoch} before
 * reading it and pass it along:
 *
 * <pre>{@code
 * Ledger ledger = new Ledger();
 * Ledger.Epoch epoch = ledger.epoch();                      // before reading free memory
 * List<DeviceBudget> budgets = inventory.read().devices().stream()
 *         .map(d -> ledger.budgetFor("llama-8b", DeviceBudget.of(d), epoch)).toList();
 * Map<DeviceId, Long> bytes = plan(budgets);                // say {cuda0=6 GiB}
 * try (Reservation r = ledger.reserve("llama-8b", bytes, budgets, epoch);   // PENDING
 *      Model model = load(...)) {
 *     ledger.commit("llama-8b", measuredBytesPerDevice);    // ALLOCATED, at what was measured
 *     ...
 * }   // the model is closed first, then the reservation: its memory is free again before release
 * ledger.held(DeviceId.cuda(0));                             // 0 again
 * }</pre>
 *
 * <p>Release a reservation after the model's memory is freed, not before: a model the ledger no longer
 * holds is not taken off any budget.
 *
 * <p>Thread-safe. Every method holds one private lock for a few map operations and never waits
 * or calls out while holding it.
 */
public final class Ledger {

    /** Free figures of unknown age: older than every commit, so every reservation counts as pending. */
    private static final Epoch UNKNOWN_AGE = new Epoch(0);

    private final Object lock = new Object();
    /** Guarded by {@code lock}. Model id → what it holds. */
    private final Map<String, Holding> holdings = new LinkedHashMap<>();
    /** Guarded by {@code lock}. How many commits this ledger has seen; numbers them from 1. */
    private long commits;

    /**
     * A moment in a ledger's history: how many commits it had seen. Taken by {@link #epoch()} before a
     * device's free memory is read, it tells {@link #reserve} and {@link #budgetFor} which allocated
     * models that reading already lacks (those committed before it) and which it may still count as
     * free (those committed since, and all pending ones).
     *
     * @param commits commits the ledger had seen, {@code >= 0}
     */
    public record Epoch(long commits) {
        public Epoch {
            if (commits < 0) {
                throw new IllegalArgumentException("an epoch counts commits, >= 0: " + commits);
            }
        }
    }

    /**
     * One model's figures and state. The token tells its {@link Reservation} apart from a later one of
     * the same id; {@code commit} numbers the commit that made it {@code ALLOCATED} (0 while pending).
     */
    private record Holding(Object token, Map<DeviceId, Long> bytes, ReservationState state, long commit) {
        Holding {
            boolean consistent = switch (state) {
                case PENDING -> commit == 0;
                case ALLOCATED -> commit > 0;
                case RELEASED -> false;
            };
            if (!consistent) {
                throw new IllegalArgumentException("a holding " + state + " with commit " + commit);
            }
        }

        /** Whether a free figure read after {@code epoch} was taken already lacks this model's memory. */
        boolean missingFromFreeReadAfter(Epoch epoch) {
            return state == ReservationState.ALLOCATED && commit <= epoch.commits();
        }
    }

    /** Now, for a free figure about to be read; see {@link Epoch}. */
    public Epoch epoch() {
        synchronized (lock) {
            return new Epoch(commits);
        }
    }

    /**
     * Reserves {@code bytes} per device for {@code modelId} if every device's budget has room, all or
     * nothing; the reservation is {@link ReservationState#PENDING}. Each budget is checked with its held
     * figures replaced by what this ledger holds for other models at that moment, under the lock, as
     * {@link #budgetFor} computes them, so a budget computed a moment ago cannot let two loads overbook;
     * cap, free and reserve are taken as given.
     *
     * @param modelId       who holds the memory; one reservation per id at a time
     * @param bytes         bytes per device, each {@code >= 0}; devices with 0 are not recorded
     * @param budgets       one budget for each device in {@code bytes} that asks for more than 0 (others
     *                      are ignored), their free figures read after {@code freeReadAfter} was taken
     * @param freeReadAfter this ledger's {@link #epoch()}, taken before the free figures were read
     * @return the handle whose {@link Reservation#close()} releases it; the caller owns it
     * @throws InsufficientMemoryException naming every device that lacks room and by how much;
     *                                     nothing was reserved
     * @throws IllegalStateException       if {@code modelId} already holds a reservation
     * @throws IllegalArgumentException    for a negative figure, a device without a budget, or an epoch
     *                                     this ledger has not reached (another ledger's)
     */
    public Reservation reserve(String modelId, Map<DeviceId, Long> bytes, Collection<DeviceBudget> budgets,
            Epoch freeReadAfter) throws InsufficientMemoryException {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(freeReadAfter, "freeReadAfter");
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
            checkReachedLocked(freeReadAfter);
            Holding existing = holdings.get(modelId);
            if (existing != null) {
                throw new IllegalStateException("model " + modelId + " already holds " + describe(existing.bytes)
                        + "; release it first, or commit() measured figures");
            }
            List<Shortfall> shortfalls = new ArrayList<>();
            for (Map.Entry<DeviceId, Long> e : wanted.entrySet()) {
                DeviceId device = e.getKey();
                DeviceBudget budget = budgetLocked(modelId, budgetOf.get(device), freeReadAfter);
                if (e.getValue() > budget.budgetBytes()) {
                    shortfalls.add(new Shortfall(device, e.getValue(), budget, heldByLocked(device, modelId)));
                }
            }
            if (!shortfalls.isEmpty()) {
                throw new InsufficientMemoryException(modelId, shortfalls);
            }
            holdings.put(modelId, new Holding(token, wanted, ReservationState.PENDING, 0));
        }
        return new Reservation(this, modelId, token);
    }

    /**
     * As {@link #reserve(String, Map, Collection, Epoch)} for free figures of unknown age (written by
     * hand, planned for another machine, or kept from earlier): every reservation is taken off free as
     * well as off the cap, as if nothing were allocated yet. Never overbooks on a stale figure, but
     * wastes on a fresh one as much as the loaded models use; pass an {@link Epoch} where you can.
     */
    public Reservation reserve(String modelId, Map<DeviceId, Long> bytes, Collection<DeviceBudget> budgets)
            throws InsufficientMemoryException {
        return reserve(modelId, bytes, budgets, UNKNOWN_AGE);
    }

    /**
     * {@code budget} with its held figures replaced by what this ledger holds now for every model but
     * {@code modelId} (null excludes none): pending, or allocated after {@code freeReadAfter}, as {@link
     * DeviceBudget#heldPendingBytes()}; allocated before it as {@link DeviceBudget#heldAllocatedBytes()}.
     * The budget to plan {@code modelId} with; {@link #reserve} checks the same figures again under its lock.
     *
     * @param freeReadAfter this ledger's {@link #epoch()}, taken before {@code budget}'s free figure was read
     * @throws IllegalArgumentException for an epoch this ledger has not reached
     */
    public DeviceBudget budgetFor(String modelId, DeviceBudget budget, Epoch freeReadAfter) {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(freeReadAfter, "freeReadAfter");
        synchronized (lock) {
            checkReachedLocked(freeReadAfter);
            return budgetLocked(modelId, budget, freeReadAfter);
        }
    }

    /**
     * Marks {@code modelId}'s reservation {@link ReservationState#ALLOCATED} at the figures measured on
     * the loaded model (after load and one warm-up decode at the largest micro-batch), without a budget
     * check: what was measured is in use whether it fits or not, and later reservations must see it.
     * The one place a reservation's state changes before release.
     *
     * <p>Call it only once the memory is allocated on every device: budgets whose free figure is read
     * from then on no longer take these bytes off free, only off the cap. Measured again, commit again:
     * the new figures count as a new commit, so a free figure read before it takes them off free.
     *
     * @param measured bytes per device, each {@code >= 0}
     * @return what it held before (the estimate, at the first commit), for estimate-versus-measured reports
     * @throws IllegalStateException if {@code modelId} holds nothing
     */
    public Map<DeviceId, Long> commit(String modelId, Map<DeviceId, Long> measured) {
        Objects.requireNonNull(modelId, "modelId");
        Map<DeviceId, Long> figures = checked(modelId, measured);
        synchronized (lock) {
            Holding existing = holdings.get(modelId);
            if (existing == null) {
                throw new IllegalStateException("model " + modelId + " holds no reservation to commit");
            }
            commits++;
            holdings.put(modelId, new Holding(existing.token, figures, ReservationState.ALLOCATED, commits));
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
     * Bytes held on {@code device} by every model but {@code excludingModelId} (null excludes none),
     * pending and allocated together: the {@link DeviceBudget#heldBytes()} of that model's budget. For
     * the split, {@link #budgetFor}.
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

    /** {@code modelId}'s state if {@code token} still names its reservation, else {@code RELEASED}. */
    ReservationState state(String modelId, Object token) {
        synchronized (lock) {
            Holding h = holdings.get(modelId);
            return h != null && h.token == token ? h.state : ReservationState.RELEASED;
        }
    }

    private DeviceBudget budgetLocked(String excludingModelId, DeviceBudget budget, Epoch freeReadAfter) {
        long pending = 0;
        long allocated = 0;
        for (Map.Entry<String, Holding> e : holdings.entrySet()) {
            Long bytes = e.getValue().bytes.get(budget.device());
            if (bytes == null || e.getKey().equals(excludingModelId)) {
                continue;
            }
            if (e.getValue().missingFromFreeReadAfter(freeReadAfter)) {
                allocated = saturatedSum(allocated, bytes);
            } else {
                pending = saturatedSum(pending, bytes);
            }
        }
        return budget.withHeldBytes(pending, allocated);
    }

    private void checkReachedLocked(Epoch epoch) {
        if (epoch.commits() > commits) {
            throw new IllegalArgumentException("epoch " + epoch.commits() + " is ahead of this ledger's " + commits
                    + " commits: it was taken from another ledger");
        }
    }

    private static long saturatedSum(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
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
