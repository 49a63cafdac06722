package dev.strata.memory.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How many bytes one more model may place on one device:
 * {@code budget = max(0, min(cap − heldPending − heldAllocated, free − reserve − heldPending))}.
 * All figures are bytes.
 *
 * <p>What other models hold counts twice over only where it should: the user's cap limits everything
 * Strata holds on the device, so all of it comes off the cap; the free figure was read from the device,
 * which already lacks the memory of models that were allocated then, so only what was not yet
 * allocated ({@code heldPending}) comes off it.
 *
 * <pre>{@code
 * Device gpu = …;                               // 12 GiB free: model A's 8 GiB is allocated
 * DeviceBudget b = DeviceBudget.of(gpu)         // reserve 1 GiB, no cap
 *         .withCapBytes(16 * ByteSize.GIB)      // the user allows Strata 16 GiB on it
 *         .withHeldBytes(2 * ByteSize.GIB,      // model B reserved 2 GiB and is still loading
 *                        8 * ByteSize.GIB);     // model A's 8 GiB
 * b.budgetBytes();                              // min(16 − 2 − 8, 12 − 1 − 2) = 6 GiB
 * }</pre>
 *
 * <p>Pure: nothing here reads a device or a ledger. The {@link dev.strata.memory.ledger.Ledger}
 * sets both held figures itself, under its lock, when it checks a reservation.
 *
 * @param device             the device this budget is for
 * @param capBytes           the most the user allows Strata to place on it, all models together;
 *                           {@link #NO_CAP} for no cap
 * @param freeBytes          free on the device when it was read ({@link Device#freeBytes()})
 * @param reserveBytes       kept free for what no estimate counts (driver, fragmentation, other
 *                           processes); {@link #DEFAULT_RESERVE_BYTES} unless configured
 * @param heldPendingBytes   reserved for other models on this device and not yet allocated when
 *                           {@code freeBytes} was read, so still counted in it (a load planned or
 *                           in progress)
 * @param heldAllocatedBytes reserved for other models on this device and already allocated when
 *                           {@code freeBytes} was read, so already missing from it (loaded models)
 */
public record DeviceBudget(DeviceId device, long capBytes, long freeBytes, long reserveBytes,
        long heldPendingBytes, long heldAllocatedBytes) {

    /** {@code capBytes} meaning "no cap". */
    public static final long NO_CAP = Long.MAX_VALUE;

    /** The reserve kept free on each device unless configured: 1 GiB, as llama.cpp's own fit. */
    public static final long DEFAULT_RESERVE_BYTES = ByteSize.GIB;

    public DeviceBudget {
        Objects.requireNonNull(device, "device");
        if (capBytes < 0 || freeBytes < 0 || reserveBytes < 0 || heldPendingBytes < 0 || heldAllocatedBytes < 0) {
            throw new IllegalArgumentException(device + ": cap " + capBytes + ", free " + freeBytes + ", reserve "
                    + reserveBytes + ", held pending " + heldPendingBytes + " and held allocated "
                    + heldAllocatedBytes + " bytes must all be >= 0");
        }
    }

    /** The budget of a device as just read: no cap, the default reserve, nothing held. */
    public static DeviceBudget of(Device device) {
        return new DeviceBudget(device.id(), NO_CAP, device.freeBytes(), DEFAULT_RESERVE_BYTES, 0, 0);
    }

    /**
     * {@code max(0, min(cap − heldPending − heldAllocated, free − reserve − heldPending))}: bytes one
     * more model may place here. Never negative, never overflows; without a cap only the free side
     * limits.
     */
    public long budgetBytes() {
        long underFree = Math.max(0, freeBytes - reserveBytes) - heldPendingBytes;
        long underCap = capped() ? capBytes - heldBytes() : Long.MAX_VALUE;
        return Math.max(0, Math.min(underCap, underFree));
    }

    /** Everything held for other models on this device, pending or allocated ({@code Long.MAX_VALUE} at most). */
    public long heldBytes() {
        return heldPendingBytes > Long.MAX_VALUE - heldAllocatedBytes ? Long.MAX_VALUE
                : heldPendingBytes + heldAllocatedBytes;
    }

    /** Whether {@code capBytes} limits this device. */
    public boolean capped() {
        return capBytes != NO_CAP;
    }

    /** This budget with another cap ({@link #NO_CAP} for none). */
    public DeviceBudget withCapBytes(long capBytes) {
        return new DeviceBudget(device, capBytes, freeBytes, reserveBytes, heldPendingBytes, heldAllocatedBytes);
    }

    /** This budget with another reserve. */
    public DeviceBudget withReserveBytes(long reserveBytes) {
        return new DeviceBudget(device, capBytes, freeBytes, reserveBytes, heldPendingBytes, heldAllocatedBytes);
    }

    /**
     * This budget with other figures held for other models: {@code pendingBytes} not yet allocated
     * when free was read, {@code allocatedBytes} already allocated then.
     */
    public DeviceBudget withHeldBytes(long pendingBytes, long allocatedBytes) {
        return new DeviceBudget(device, capBytes, freeBytes, reserveBytes, pendingBytes, allocatedBytes);
    }

    /**
     * The arithmetic in words, for messages:
     * {@code 4.6 GiB free after the 1 GiB reserve, the 16 GiB cap and 2 GiB held by other models,
     * of which 1.5 GiB not yet allocated (7.1 GiB free on the device)}.
     */
    public String explain() {
        return explain("other models");
    }

    /**
     * As {@link #explain()}, naming who holds the held bytes: {@code explain("model llama-70b")}
     * ends in {@code 2 GiB held by model llama-70b (7.1 GiB free on the device)}. Held bytes are
     * described as {@code 2 GiB held by …} when none is allocated yet (all of it comes off free and
     * the cap), {@code …, already allocated} when all of it is (it is missing from free already and
     * comes off the cap only), and {@code …, of which 1.5 GiB not yet allocated} in between.
     */
    public String explain(String holders) {
        List<String> after = new ArrayList<>();
        after.add("the " + ByteSize.format(reserveBytes) + " reserve");
        if (capped()) {
            after.add("the " + ByteSize.format(capBytes) + " cap");
        }
        if (heldBytes() > 0) {
            String held = ByteSize.format(heldBytes()) + " held by " + holders;
            if (heldAllocatedBytes > 0) {
                held += heldPendingBytes == 0 ? ", already allocated"
                        : ", of which " + ByteSize.format(heldPendingBytes) + " not yet allocated";
            }
            after.add(held);
        }
        String list = after.size() == 1 ? after.get(0)
                : String.join(", ", after.subList(0, after.size() - 1)) + " and " + after.get(after.size() - 1);
        return ByteSize.format(budgetBytes()) + " free after " + list + " (" + ByteSize.format(freeBytes)
                + " free on the device)";
    }
}
