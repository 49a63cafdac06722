package dev.strata.models.proof;

/**
 * One GPU in one proof case: what Strata predicted it would hold at its peak, what it was seen to
 * hold (device use sampled every 2 ms, this process's CUDA context included), and its cap.
 *
 * @param device         ggml's name, "CUDA0"
 * @param layers         what the plan put there, in words ("layers 4-42 + output"; "-" for nothing)
 * @param predictedBytes the plan's total for the device plus the CUDA context; -1 when the case
 *                       predicts nothing per device (pressure cases judge the cap only)
 * @param measuredBytes  the sampled peak of total − free
 * @param capBytes       the most the case allows on the device, CUDA context included; -1 for no cap
 * @param breakdown      llama.cpp's own breakdown of the device (weights / KV / compute), in words; may be empty
 */
public record DeviceMeasure(String device, String layers, long predictedBytes, long measuredBytes, long capBytes,
                            String breakdown) {

    /** Whether a prediction was made and it is within {@link Tolerance}; true when nothing was predicted. */
    public boolean predictionHolds() {
        return predictedBytes < 0 || Tolerance.within(predictedBytes, measuredBytes);
    }

    /** Whether the measured peak stayed at or under the cap; true without a cap. */
    public boolean capHolds() {
        return capBytes < 0 || measuredBytes <= capBytes;
    }
}
