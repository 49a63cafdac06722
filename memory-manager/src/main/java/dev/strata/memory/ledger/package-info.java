/**
 * The JVM-wide record of device memory promised to models, so that two loads at once cannot
 * overbook a device. One {@link dev.strata.memory.ledger.Ledger} per engine, passed to whoever loads.
 *
 * <p>A reservation is pending until the model is loaded and measured, then allocated: a device's free
 * figure, read after that, already lacks its memory, so the next model's budget takes it off the user's
 * cap only, not off free a second time.
 *
 * <pre>{@code
 * Ledger.Epoch epoch = ledger.epoch();                      // then read free memory into budgets
 * try (Reservation r = ledger.reserve("llama-8b", Map.of(cuda0, 6 * ByteSize.GIB), budgets, epoch);
 *      Model model = load(...)) {
 *     ledger.commit("llama-8b", measuredPerDevice);         // pending → allocated
 *     serve(...);
 * } // the model is freed, then the reservation released
 * }</pre>
 */
package dev.strata.memory.ledger;
