package dev.strata.runtime.load;

import dev.strata.llama.LlamaContext;
import dev.strata.llama.LlamaModel;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.ledger.Reservation;
import dev.strata.memory.plan.Placement;
import java.util.Map;

/**
 * What a planned load produced: the model and its warmed-up context, loaded exactly as placed, and the
 * reservation already committed at the measured figures. The caller owns all three: it hands them to
 * one owner (the runtime's {@code Model}) or calls {@link #close()}.
 *
 * @param model       the loaded weights
 * @param context     the context, warmed up at the largest micro-batch and cleared
 * @param reservation the ledger's hold, {@code ALLOCATED} at {@code measured}
 * @param placement   the placement that loaded (after any retries)
 * @param measured    bytes per device measured after the warm-up
 * @param attempts    how many placements were tried, this one included
 */
public record LoadedModel(LlamaModel model, LlamaContext context, Reservation reservation, Placement placement,
                          Map<DeviceId, Long> measured, int attempts) implements AutoCloseable {
    public LoadedModel {
        measured = Map.copyOf(measured);
    }

    /** Frees the context and the model, then releases the reservation (after: a budget must not count it free early). */
    @Override
    public void close() {
        context.close();
        model.close();
        reservation.close();
    }
}
