package dev.strata.memory.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How many bytes one more model may place on one device:
 * {@code budget = max(0, min(cap, free − reserve) − held)}. All figures are bytes.
 *
 * <pre>{@code
 * Device gpu = …;                                   // 20 GiB free
 * DeviceBudget b = DeviceBudget.of(gpu)             // reserve 1 GiB, no cap
 *         .withCapBytes(16 * ByteSize.GIB)          // the user allows 16 GiB on it
 *         .withHeldBytes(ledger.held(gpu.id(), "model-b")); // 4 GiB held for other models
 * b.budgetBytes();                                  // min(16, 20 − 1) − 4 = 12 GiB
 * }</pre>
 *
 * <p>Pure: nothing here reads a device or a ledger. The {@link dev.strata.memory.ledger.Ledger}
 * sets {@code held} itself, under its lock, when it checks a reservation.
 *
 * @param device       the device this budget is for
 * @param capBytes     the most the user allows Strata to place on it; {@link #NO_CAP} for no cap
 * @param freeBytes    free on the device when it was read ({@link Device#freeBytes()})
 * @param reserveBytes kept free for what no estimate counts (driver, fragmentation, other
 *                     processes); {@link #DEFAULT_RESERVE_BYTES} unless configured
 * @param heldBytes    reserved in the ledger for other models on this device
 */
public record DeviceBudget(DeviceId device, long capBytes, long freeBytes, long reserveBytes, long heldBytes) {

    /** {@code capBytes} meaning "no cap". */
    public static final long NO_CAP = Long.MAX_VALUE;

    /** The reserve kept free on each device unless configured: 1 GiB, as llama.cpp's own fit. */
    public static final long DEFAULT_RESERVE_BYTES = ByteSize.GIB;

    public DeviceBudget {
        Objects.requireNonNull(device, "device");
        if (capBytes < 0 || freeBytes < 0 || reserveBytes < 0 || heldBytes < 0) {
            throw new IllegalArgumentException(device + ": cap " + capBytes + ", free " + freeBytes + ", reserve "
                    + reserveBytes + " and held " + heldBytes + " bytes must all be >= 0");
        }
    }

    /** The budget of a device as just read: no cap, the default reserve, nothing held. */
    public static DeviceBudget of(Device device) {
        return new DeviceBudget(device.id(), NO_CAP, device.freeBytes(), DEFAULT_RESERVE_BYTES, 0);
    }

    /**
     * {@code max(0, min(cap, free − reserve) − held)}: bytes one more model may place here. Never
     * negative, never overflows.
     */
    public long budgetBytes() {
        long usable = Math.max(0, Math.min(capBytes, freeBytes - reserveBytes));
        return Math.max(0, usable - heldBytes);
    }

    /** Whether {@code capBytes} limits this device. */
    public boolean capped() {
        return capBytes != NO_CAP;
    }

    /** This budget with another cap ({@link #NO_CAP} for none). */
    public DeviceBudget withCapBytes(long capBytes) {
        return new DeviceBudget(device, capBytes, freeBytes, reserveBytes, heldBytes);
    }

    /** This budget with another reserve. */
    public DeviceBudget withReserveBytes(long reserveBytes) {
        return new DeviceBudget(device, capBytes, freeBytes, reserveBytes, heldBytes);
    }

    /** This budget with another figure held for other models. */
    public DeviceBudget withHeldBytes(long heldBytes) {
        return new DeviceBudget(device, capBytes, freeBytes, reserveBytes, heldBytes);
    }

    /**
     * The arithmetic in words, for messages:
     * {@code 4.1 GiB free after the 1 GiB reserve, the 16 GiB cap and 2.0 GiB held by other models
     * (7.1 GiB free on the device)}.
     */
    public String explain() {
        return explain("other models");
    }

    /**
     * As {@link #explain()}, naming who holds the held bytes: {@code explain("model llama-70b")}
     * ends in {@code 2.0 GiB held by model llama-70b (7.1 GiB free on the device)}.
     */
    public String explain(String holders) {
        List<String> after = new ArrayList<>();
        after.add("the " + ByteSize.format(reserveBytes) + " reserve");
        if (capped()) {
            after.add("the " + ByteSize.format(capBytes) + " cap");
        }
        if (heldBytes > 0) {
            after.add(ByteSize.format(heldBytes) + " held by " + holders);
        }
        String list = after.size() == 1 ? after.get(0)
                : String.join(", ", after.subList(0, after.size() - 1)) + " and " + after.get(after.size() - 1);
        return ByteSize.format(budgetBytes()) + " free after " + list + " (" + ByteSize.format(freeBytes)
                + " free on the device)";
    }
}
