package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SynthFp16Test {

    @Test
    void exactValuesConvertExactly() {
        assertThat(Fp16.fromFloat(1f)).isEqualTo((short) 0x3C00);
        assertThat(Fp16.fromFloat(-2f)).isEqualTo((short) 0xC000);
        assertThat(Fp16.fromFloat(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Fp16.fromFloat(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
        assertThat(Fp16.fromFloat(0x1p-14f)).isEqualTo((short) 0x0400); // smallest normal
        assertThat(Fp16.fromFloat(0f)).isEqualTo((short) 0);
    }

    @Test
    void outOfRangeBecomesInfinityOrZero() {
        assertThat(Fp16.fromFloat(70000f)).isEqualTo((short) 0x7C00);
        assertThat(Fp16.fromFloat(1e-10f)).isEqualTo((short) 0);
        assertThat(Float.isNaN(Fp16.toFloat(Fp16.fromFloat(Float.NaN)))).isTrue();
    }

    @Test
    void everyFiniteHalfRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Fp16.toFloat((short) h);
            if (Float.isFinite(f)) {
                assertThat(Fp16.fromFloat(f)).as("half 0x%04x", h).isEqualTo((short) h);
            }
        }
    }

    @Test
    void roundsToNearestEven() {
        float one = 1f;
        float ulp = 0x1p-10f; // spacing of halves in [1, 2)
        assertThat(Fp16.toFloat(Fp16.fromFloat(one + ulp * 0.49f))).isEqualTo(one);
        assertThat(Fp16.toFloat(Fp16.fromFloat(one + ulp * 0.51f))).isEqualTo(one + ulp);
        assertThat(Fp16.toFloat(Fp16.fromFloat(one + ulp * 0.5f))).isEqualTo(one);             // tie to even
        assertThat(Fp16.toFloat(Fp16.fromFloat(one + ulp * 1.5f))).isEqualTo(one + 2 * ulp);   // tie to even
    }
}
