package dev.strata.memory.ledger;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A reservation does not fit the budget of one or more devices, so nothing was reserved. The message
 * names each such device and the numbers:
 * {@code model llama-70b does not fit: cuda0 needs 9.4 GiB, 4.1 GiB free after the 1 GiB reserve and
 * 2.0 GiB held by model X (7.1 GiB free on the device), short by 5.3 GiB}.
 *
 * <pre>{@code
 * try {
 *     reservation = ledger.reserve(id, placement.bytesPerDevice(), budgets, epoch);
 * } catch (InsufficientMemoryException e) {
 *     long missing = e.shortfalls().get(0).missingBytes(); // evict, re-plan, or refuse
 * }
 * }</pre>
 */
public class InsufficientMemoryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String modelId;
    private final transient List<Shortfall> shortfalls;

    /**
     * @param modelId    the model whose reservation was refused
     * @param shortfalls each device that lacked room, at least one
     */
    public InsufficientMemoryException(String modelId, List<Shortfall> shortfalls) {
        super("model " + modelId + " does not fit: "
                + shortfalls.stream().map(Shortfall::describe).collect(Collectors.joining("; ")));
        if (shortfalls.isEmpty()) {
            throw new IllegalArgumentException("a refusal names at least one device");
        }
        this.modelId = modelId;
        this.shortfalls = List.copyOf(shortfalls);
    }

    /** The model whose reservation was refused. */
    public String modelId() {
        return modelId;
    }

    /** Each device that lacked room, by device id. */
    public List<Shortfall> shortfalls() {
        return shortfalls;
    }
}
