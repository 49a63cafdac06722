package dev.strata.runtime.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import org.junit.jupiter.api.Test;

/** A GPU that failed gets less than the placement that failed there; other GPUs keep their budgets. */
class GpuCapsTest {
    private static final long MIB = 1L << 20;
    private static final DeviceId CUDA0 = DeviceId.cuda(0);

    private static DeviceBudget free(DeviceId device, long mib) {
        return new DeviceBudget(device, DeviceBudget.NO_CAP, (mib + 1024) * MIB, 1024 * MIB, 0, 0); // budget: mib
    }

    @Test
    void whenTheReadingStillOffersWhatFailedTheDeviceLosesTheShortfall() {
        GpuCaps caps = GpuCaps.NONE.lowered(CUDA0, 600 * MIB, 200 * MIB);
        assertThat(caps.apply(free(CUDA0, 8192)).budgetBytes()).isEqualTo(400 * MIB);
        assertThat(caps.apply(free(DeviceId.cuda(1), 8192)).budgetBytes()).isEqualTo(8192 * MIB);
    }

    @Test
    void whenTheReadingAlreadyOffersLessThanWhatFailedItStands() {
        // another process took the memory: the fresh figure says so, and is planned on as it is
        GpuCaps caps = GpuCaps.NONE.lowered(CUDA0, 3000 * MIB, 3000 * MIB);
        assertThat(caps.apply(free(CUDA0, 1500)).budgetBytes()).isEqualTo(1500 * MIB);
    }

    @Test
    void whatOtherModelsHoldDoesNotEatIntoTheCap() {
        DeviceBudget shared = free(CUDA0, 8192).withHeldBytes(0, 2048 * MIB); // allocated already: missing from free
        assertThat(GpuCaps.NONE.lowered(CUDA0, 600 * MIB, 200 * MIB).apply(shared).budgetBytes()).isEqualTo(400 * MIB);
    }

    @Test
    void limitsOnlyGoDownNeverBelowZeroAndAlwaysByAtLeastAByte() {
        GpuCaps caps = GpuCaps.NONE.lowered(CUDA0, 600 * MIB, 300 * MIB).lowered(CUDA0, 700 * MIB, 100 * MIB);
        assertThat(caps.limits()).containsEntry(CUDA0, new GpuCaps.Limit(600 * MIB, 300 * MIB));
        assertThat(caps.lowered(CUDA0, 5, 10).limits().get(CUDA0).cap()).isZero();
        assertThat(GpuCaps.NONE.lowered(CUDA0, 600 * MIB, 0).limits().get(CUDA0).cap()).isEqualTo(600 * MIB - 1);
    }
}
