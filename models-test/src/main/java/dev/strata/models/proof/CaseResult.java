package dev.strata.models.proof;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one case of the GPU proof found. Each case runs in a JVM of its own and appends its result
 * to a {@link ResultLog}; {@link ProofReport} renders them all.
 *
 * <pre>{@code
 * CaseResult r = new CaseResult("accuracy", "llama3-8b-full", "Llama-3-8B Q4_K_M, ctx 32768, all layers", 7.9,
 *         List.of(new DeviceMeasure("CUDA0", "layers 0-31 + output", 9_391L << 20, 9_366L << 20, -1, "")),
 *         List.of("plan: fits wholly on cuda0"), List.of());
 * r.passed();   // true: 25 MiB off, within 64 MiB, and the case reported no failure of its own
 * }</pre>
 *
 * @param part     the part of the proof ("accuracy", "pressure", "seed", "ops", "split", "placement", "speed")
 * @param name     the case's short name, unique within its part
 * @param title    one line saying what the case is
 * @param seconds  wall time of the case, model writing included
 * @param devices  per GPU: predicted, measured, cap
 * @param notes    lines worth reading beside the table (placement, timings, generated text length)
 * @param failures the case's own failed checks in words (generation failed, an allocation failed and
 *                 was retried, ...); the device rows' checks are added by {@link #problems()}
 */
public record CaseResult(String part, String name, String title, double seconds, List<DeviceMeasure> devices,
                         List<String> notes, List<String> failures) {
    public CaseResult {
        devices = List.copyOf(devices);
        notes = List.copyOf(notes);
        failures = List.copyOf(failures);
    }

    /** Every failed check: the case's own, then each device's prediction and cap. */
    public List<String> problems() {
        List<String> all = new ArrayList<>(failures);
        for (DeviceMeasure d : devices) {
            if (!d.predictionHolds()) {
                all.add(String.format(Locale.ROOT, "%s: predicted %s, measured %s: off by %s, more than the %s allowed",
                        d.device(), Mib.of(d.predictedBytes()), Mib.of(d.measuredBytes()),
                        Mib.of(Math.abs(d.predictedBytes() - d.measuredBytes())),
                        Mib.of(Tolerance.allowedBytes(d.measuredBytes()))));
            }
            if (!d.capHolds()) {
                all.add(String.format(Locale.ROOT, "%s: measured %s, over the cap of %s", d.device(),
                        Mib.of(d.measuredBytes()), Mib.of(d.capBytes())));
            }
        }
        return all;
    }

    public boolean passed() {
        return problems().isEmpty();
    }
}
