package dev.strata.memory.device;

import java.util.Locale;
import java.util.Objects;

/**
 * Names one device the way this process sees it: {@code cuda0}, {@code cuda1}, … or {@code cpu}.
 *
 * <p>A CUDA index is the driver's ordinal <em>in this process</em>, the same one llama.cpp calls
 * {@code CUDA0}: with {@code CUDA_VISIBLE_DEVICES=2,3} the driver shows two devices and they are
 * {@code cuda0} and {@code cuda1} here, whatever their numbers in {@code nvidia-smi}. A {@link
 * Device}'s UUID is what names the physical card across processes.
 *
 * <pre>{@code
 * DeviceId id = DeviceId.parse("cuda1");   // kind CUDA, index 1
 * id.toString();                           // "cuda1"
 * DeviceId.cuda(0).equals(DeviceId.parse("CUDA0")); // true: parsing ignores case
 * DeviceId.parse("cpu") == DeviceId.CPU;   // one CPU, index 0
 * }</pre>
 *
 * @param kind  CUDA or CPU
 * @param index the CUDA ordinal in this process, from 0; always 0 for the CPU
 */
public record DeviceId(DeviceKind kind, int index) implements Comparable<DeviceId> {

    /** The host. */
    public static final DeviceId CPU = new DeviceId(DeviceKind.CPU, 0);

    public DeviceId {
        Objects.requireNonNull(kind, "kind");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (kind == DeviceKind.CPU && index != 0) {
            throw new IllegalArgumentException("there is one CPU device, index 0; got " + index);
        }
    }

    /** The CUDA device with this ordinal as the process sees it ({@code cuda(0)} is {@code cuda0}). */
    public static DeviceId cuda(int index) {
        return new DeviceId(DeviceKind.CUDA, index);
    }

    /**
     * Parses {@code cudaN} (N a decimal ordinal without leading zeros) or {@code cpu}, in any case.
     *
     * @throws IllegalArgumentException naming the text and what is expected
     */
    public static DeviceId parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.startsWith("cuda")) {
            String digits = s.substring(4);
            if (!digits.isEmpty() && digits.length() <= 6 && digits.chars().allMatch(Character::isDigit)
                    && (digits.length() == 1 || digits.charAt(0) != '0')) {
                return cuda(Integer.parseInt(digits));
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a device: expected cuda0, cuda1, ... or cpu");
    }

    /** CUDA devices in ordinal order, then the CPU. */
    @Override
    public int compareTo(DeviceId other) {
        int byKind = kind.compareTo(other.kind);
        return byKind != 0 ? byKind : Integer.compare(index, other.index);
    }

    /** {@code cuda0}, {@code cuda1}, … or {@code cpu}: what {@link #parse} reads. */
    @Override
    public String toString() {
        return kind == DeviceKind.CPU ? "cpu" : "cuda" + index;
    }
}
