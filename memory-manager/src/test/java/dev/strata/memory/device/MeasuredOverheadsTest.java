package dev.strata.memory.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasuredOverheadsTest {
    @TempDir
    Path dir;

    @Test
    void measuredFiguresSurviveAReloadPerCard() {
        Path file = dir.resolve("sub/overheads.properties");
        Instant when = Instant.parse("2026-11-24T18:14:43Z");
        MeasuredOverheads.load(file)
                .with("GPU-aaaa", "NVIDIA H100 80GB HBM3", 112_394_240L, when)
                .with("GPU-bbbb", "NVIDIA RTX 4090", 90_000_000L, when)
                .save(file);
        MeasuredOverheads back = MeasuredOverheads.load(file);
        assertThat(back.of("GPU-aaaa")).contains(new MeasuredOverheads.Entry("NVIDIA H100 80GB HBM3", 112_394_240L, when));
        assertThat(back.of("GPU-bbbb").orElseThrow().bytes()).isEqualTo(90_000_000L);
        assertThat(back.of("GPU-cccc")).isEmpty();
    }

    @Test
    void aMissingOrDamagedFileMeansNothingMeasured() throws Exception {
        assertThat(MeasuredOverheads.load(dir.resolve("none")).entries()).isEmpty();
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "GPU-a.bytes=lots\nGPU-b.bytes=5\nGPU-b.measured=2026-11-24T00:00:00Z\n\\u00");
        assertThat(MeasuredOverheads.load(bad).entries()).isEmpty();
        Files.writeString(bad, "GPU-a.bytes=lots\nGPU-b.bytes=5\nGPU-b.measured=2026-11-24T00:00:00Z\n");
        assertThat(MeasuredOverheads.load(bad).entries()).containsOnlyKeys("GPU-b");
    }

    @Test
    void aCardWithoutUuidCannotBeRecorded() {
        assertThatThrownBy(() -> MeasuredOverheads.load(dir.resolve("x")).with("", "card", 1, Instant.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UUID");
    }
}
