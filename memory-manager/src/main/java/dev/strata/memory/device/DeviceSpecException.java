package dev.strata.memory.device;

/**
 * A device spec such as {@code cuda0=24GiB,cuda1=24GiB} cannot be read. The message quotes the spec,
 * names the bad part by number and text, and says what is wrong with it:
 * {@code device spec "cuda0=24GiB,cuda1=24GB": part 2 "cuda1=24GB": "24GB": "GB" is ambiguous …}.
 *
 * <pre>{@code
 * try {
 *     inventory = ExplicitDeviceInventory.parse(option, HostMemory.system());
 * } catch (DeviceSpecException e) {
 *     System.err.println("--devices: " + e.getMessage());
 * }
 * }</pre>
 */
public class DeviceSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String spec;
    private final int partNumber;
    private final String part;

    /**
     * @param spec       the whole spec
     * @param partNumber which comma-separated part is wrong, from 1; 0 when the spec as a whole is
     * @param part       that part's text (the spec itself when {@code partNumber} is 0)
     * @param reason     what is wrong with it
     * @param cause      the underlying error, such as a {@link ByteSizeFormatException}, or null
     */
    public DeviceSpecException(String spec, int partNumber, String part, String reason, Throwable cause) {
        super("device spec \"" + spec + "\": " + (partNumber == 0 ? "" : "part " + partNumber + " \"" + part + "\": ")
                + reason, cause);
        this.spec = spec;
        this.partNumber = partNumber;
        this.part = part;
    }

    /** The whole spec. */
    public String spec() {
        return spec;
    }

    /** Which comma-separated part is wrong, from 1; 0 when the spec as a whole is. */
    public int partNumber() {
        return partNumber;
    }

    /** That part's text. */
    public String part() {
        return part;
    }
}
