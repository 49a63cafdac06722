package dev.strata.memory.device;

import static dev.strata.memory.device.DeviceBudget.NO_CAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceBudgetTest {

    private static final long G = ByteSize.GIB;
    private static final long M = ByteSize.MIB;
    private static final long MAX = Long.MAX_VALUE;

    /**
     * cap, free, reserve, held pending, held allocated → budget =
     * max(0, min(cap − pending − allocated, free − reserve − pending)).
     */
    private static final long[][] TABLE = {
        {NO_CAP, 10 * G, G, 0, 0, 9 * G},            // free less the reserve
        {NO_CAP, 10 * G, G, 2 * G, 0, 7 * G},        // and less what others reserved and have not allocated
        {5 * G, 10 * G, G, 0, 0, 5 * G},             // the cap is lower than free − reserve
        {5 * G, 10 * G, G, 2 * G, 0, 3 * G},         // the cap is shared with other models
        {20 * G, 10 * G, G, 2 * G, 0, 7 * G},        // a cap above free changes nothing
        {NO_CAP, 512 * M, G, 0, 0, 0},               // less free than the reserve
        {NO_CAP, G, G, 0, 0, 0},                     // exactly the reserve
        {NO_CAP, G + 1, G, 0, 0, 1},
        {0, 10 * G, G, 0, 0, 0},                     // cap 0: nothing on this device
        {NO_CAP, 10 * G, G, 12 * G, 0, 0},           // others reserved more than there is
        {NO_CAP, 10 * G, 0, 0, 0, 10 * G},           // no reserve

        // A 24 GiB card on which model A is loaded: 8 GiB allocated, 16 GiB free now.
        {NO_CAP, 16 * G, G, 0, 8 * G, 15 * G},       // A is missing from free already: not taken twice
        {20 * G, 16 * G, G, 0, 8 * G, 12 * G},       // but the cap covers A too: 20 − 8
        {30 * G, 16 * G, G, 0, 8 * G, 15 * G},       // a cap with room for both leaves free to decide
        {8 * G, 16 * G, G, 0, 8 * G, 0},             // A fills the cap
        {6 * G, 16 * G, G, 0, 8 * G, 0},             // A measured past the cap: nothing, never negative
        {NO_CAP, 0, G, 0, 24 * G, 0},                // A took the whole card

        // The same card, model B reserved 4 GiB and is loading: its memory is still in free.
        {NO_CAP, 24 * G, G, 4 * G, 0, 19 * G},       // 24 − 1 − 4
        {20 * G, 24 * G, G, 4 * G, 0, 16 * G},       // 20 − 4

        // Both: A loaded (8 GiB, missing from the 16 GiB free), B loading (4 GiB, still in it).
        {NO_CAP, 16 * G, G, 4 * G, 8 * G, 11 * G},   // free: 16 − 1 − 4
        {20 * G, 16 * G, G, 4 * G, 8 * G, 8 * G},    // cap: 20 − 4 − 8
        {30 * G, 16 * G, G, 4 * G, 8 * G, 11 * G},   // cap 30 − 12 = 18 is not the limit; free is
        {12 * G, 16 * G, G, 4 * G, 8 * G, 0},        // A and B fill the cap

        // Extremes do not overflow.
        {NO_CAP, MAX, 0, 0, 0, MAX},
        {NO_CAP, 0, MAX, MAX, MAX, 0},
        {MAX - 1, MAX, MAX, MAX, 0, 0},
        {MAX - 1, MAX, 0, 0, MAX, 0},
        {MAX - 1, MAX, 0, MAX, MAX, 0},
        {NO_CAP, MAX, 0, 0, MAX, MAX},               // without a cap, allocated memory only shows in free
    };

    @Test
    void budgetTakesEverythingHeldOffTheCapAndOnlyWhatIsPendingOffFree() {
        for (long[] row : TABLE) {
            DeviceBudget b = new DeviceBudget(DeviceId.cuda(0), row[0], row[1], row[2], row[3], row[4]);
            assertThat(b.budgetBytes())
                    .as("cap %d, free %d, reserve %d, pending %d, allocated %d", row[0], row[1], row[2], row[3], row[4])
                    .isEqualTo(row[5]);
        }
    }

    @Test
    void withNothingAllocatedTheBudgetIsMinOfCapAndFreeLessReserveLessHeld() {
        long[] caps = {0, G, 5 * G, 9 * G, 20 * G, NO_CAP};
        long[] frees = {0, G / 2, G, 10 * G, 30 * G};
        long[] helds = {0, G, 4 * G, 40 * G};
        for (long cap : caps) {
            for (long free : frees) {
                for (long held : helds) {
                    long before = Math.max(0, Math.max(0, Math.min(cap, free - G)) - held);
                    assertThat(new DeviceBudget(DeviceId.cuda(0), cap, free, G, held, 0).budgetBytes())
                            .as("cap %d, free %d, held %d", cap, free, held).isEqualTo(before);
                }
            }
        }
    }

    @Test
    void heldBytesIsPendingAndAllocatedTogether() {
        DeviceBudget b = new DeviceBudget(DeviceId.cuda(0), NO_CAP, 10 * G, G, 2 * G, 3 * G);
        assertThat(b.heldBytes()).isEqualTo(5 * G);
        assertThat(b.withHeldBytes(MAX, MAX).heldBytes()).isEqualTo(MAX);
        assertThat(b.withHeldBytes(0, 0).heldBytes()).isZero();
    }

    @Test
    void ofADeviceHasTheDefaultReserveAndNoCap() {
        Device gpu = new Device(DeviceId.cuda(1), "GPU", "", "", 24 * G, 20 * G);
        DeviceBudget b = DeviceBudget.of(gpu);
        assertThat(b).isEqualTo(new DeviceBudget(DeviceId.cuda(1), NO_CAP, 20 * G, G, 0, 0));
        assertThat(DeviceBudget.DEFAULT_RESERVE_BYTES).isEqualTo(1L << 30);
        assertThat(b.capped()).isFalse();
        assertThat(b.budgetBytes()).isEqualTo(19 * G);
        assertThat(b.withCapBytes(16 * G).withHeldBytes(4 * G, 0).budgetBytes()).isEqualTo(12 * G);
        assertThat(b.withCapBytes(16 * G).withHeldBytes(0, 4 * G).budgetBytes()).isEqualTo(12 * G);
        assertThat(b.withHeldBytes(0, 4 * G).budgetBytes()).isEqualTo(19 * G);
        assertThat(b.withReserveBytes(2 * G).budgetBytes()).isEqualTo(18 * G);
    }

    @Test
    void explainsItsArithmetic() {
        DeviceBudget b = new DeviceBudget(DeviceId.cuda(0), NO_CAP, 10 * G, G, 0, 0);
        assertThat(b.explain()).isEqualTo("9 GiB free after the 1 GiB reserve (10 GiB free on the device)");
        assertThat(b.withHeldBytes(2 * G, 0).explain())
                .isEqualTo("7 GiB free after the 1 GiB reserve and 2 GiB held by other models (10 GiB free on the device)");
        assertThat(b.withCapBytes(6 * G).explain())
                .isEqualTo("6 GiB free after the 1 GiB reserve and the 6 GiB cap (10 GiB free on the device)");
        assertThat(b.withCapBytes(6 * G).withHeldBytes(G / 2, 0).explain("model qwen"))
                .isEqualTo("5.5 GiB free after the 1 GiB reserve, the 6 GiB cap and 512 MiB held by model qwen"
                        + " (10 GiB free on the device)");
    }

    @Test
    void explainsWhatIsAlreadyAllocated() {
        DeviceBudget b = new DeviceBudget(DeviceId.cuda(0), NO_CAP, 10 * G, G, 0, 0);
        assertThat(b.withHeldBytes(0, 2 * G).explain("model X"))
                .isEqualTo("9 GiB free after the 1 GiB reserve and 2 GiB held by model X, already allocated"
                        + " (10 GiB free on the device)");
        assertThat(b.withCapBytes(8 * G).withHeldBytes(0, 2 * G).explain("model X"))
                .isEqualTo("6 GiB free after the 1 GiB reserve, the 8 GiB cap and 2 GiB held by model X, already allocated"
                        + " (10 GiB free on the device)");
        assertThat(b.withHeldBytes(3 * G / 2, G / 2).explain("model X"))
                .isEqualTo("7.5 GiB free after the 1 GiB reserve and 2 GiB held by model X, of which 1.5 GiB not yet"
                        + " allocated (10 GiB free on the device)");
        assertThat(b.withCapBytes(16 * G).withHeldBytes(3 * G / 2, G / 2).explain())
                .isEqualTo("7.5 GiB free after the 1 GiB reserve, the 16 GiB cap and 2 GiB held by other models,"
                        + " of which 1.5 GiB not yet allocated (10 GiB free on the device)");
    }

    @Test
    void refusesNegativeFigures() {
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), NO_CAP, -1, G, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cuda0").hasMessageContaining("free -1");
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), -5, 0, 0, 0, 0)).hasMessageContaining("cap -5");
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), 0, 0, 0, -7, 0))
                .hasMessageContaining("held pending -7");
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), 0, 0, 0, 0, -8))
                .hasMessageContaining("held allocated -8");
    }
}
