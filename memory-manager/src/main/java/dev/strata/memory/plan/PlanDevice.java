package dev.strata.memory.plan;

import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceKind;
import java.util.Objects;

/**
 * A GPU the planner may use: its budget, and the runtime overhead it costs once anything runs on
 * it (CUDA context, cuBLAS workspace, memory pools), which no dry run counts.
 *
 * <pre>{@code
 * new PlanDevice(DeviceBudget.of(gpu).withCapBytes(24 * ByteSize.GIB), measuredOverhead)
 * }</pre>
 *
 * @param budget        what the device may take: {@link DeviceBudget#budgetBytes()}
 * @param overheadBytes runtime overhead, measured per device (0 when the free figure already excludes it)
 */
public record PlanDevice(DeviceBudget budget, long overheadBytes) {
    public PlanDevice {
        Objects.requireNonNull(budget, "budget");
        if (budget.device().kind() != DeviceKind.CUDA) {
            throw new IllegalArgumentException("plan devices are GPUs; the CPU takes what is left: " + budget.device());
        }
        if (overheadBytes < 0) {
            throw new IllegalArgumentException("negative overhead " + overheadBytes);
        }
    }

    /** ggml's name for the device: cuda0 → "CUDA0". */
    public String ggmlName() {
        return "CUDA" + budget.device().index();
    }
}
