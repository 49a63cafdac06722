/**
 * The JVM-wide record of device memory promised to models, so that two loads at once cannot
 * overbook a device. One {@link dev.strata.memory.ledger.Ledger} per engine, passed to whoever loads.
 *
 * <pre>{@code
 * try (Reservation r = ledger.reserve("llama-8b", Map.of(cuda0, 6 * ByteSize.GIB), budgets)) {
 *     load(...);
 *     ledger.replace("llama-8b", measuredPerDevice);
 *     serve(...);
 * } // released
 * }</pre>
 */
package dev.strata.memory.ledger;
