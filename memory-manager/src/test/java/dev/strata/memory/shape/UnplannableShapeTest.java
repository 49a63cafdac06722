package dev.strata.memory.shape;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.plan.UnplannableModelException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shape whose memory the estimators cannot size is refused by the planner with one typed exception. */
class UnplannableShapeTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void anUnmodelledRecurrentMemoryIsATypedRefusalThatNamesTheArchitecture() throws Exception {
        ModelShape rwkv = new ShapeTestGguf("rwkv6").u32("block_count", 1).u32("embedding_length", 64)
                .tensor("blk.0.time_mix_key.weight", GgmlType.F32, 64, 64).shape(dir.resolve("a.gguf"));
        PlanDevice gpu = new PlanDevice(new DeviceBudget(DeviceId.cuda(0), DeviceBudget.NO_CAP, 24 * GIB, GIB, 0, 0), 0);
        PlanRequest request = new PlanRequest(KvCacheParams.defaults().withContext(4096), false, 256, CpuRepack.NONE,
                64 * GIB, true);

        assertThatThrownBy(() -> Planner.plan(rwkv, List.of(gpu), request))
                .isInstanceOf(UnplannableModelException.class)
                .hasMessageContaining("cannot plan 'rwkv6'").hasMessageContaining("not modelled");
    }
}
