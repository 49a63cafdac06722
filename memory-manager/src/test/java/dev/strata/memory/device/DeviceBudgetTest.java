package dev.strata.memory.device;

import static dev.strata.memory.device.DeviceBudget.NO_CAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceBudgetTest {

    private static final long G = ByteSize.GIB;
    private static final long M = ByteSize.MIB;
    private static final long MAX = Long.MAX_VALUE;

    /** cap, free, reserve, held → budget = max(0, min(cap, free − reserve) − held). */
    private static final long[][] TABLE = {
        {NO_CAP, 10 * G, G, 0, 9 * G},               // free less the reserve
        {NO_CAP, 10 * G, G, 2 * G, 7 * G},           // and less what others hold
        {5 * G, 10 * G, G, 0, 5 * G},                // the cap is lower than free − reserve
        {5 * G, 10 * G, G, 2 * G, 3 * G},            // the cap is shared with other models
        {20 * G, 10 * G, G, 2 * G, 7 * G},           // a cap above free changes nothing
        {NO_CAP, 512 * M, G, 0, 0},                  // less free than the reserve
        {NO_CAP, G, G, 0, 0},                        // exactly the reserve
        {NO_CAP, G + 1, G, 0, 1},
        {0, 10 * G, G, 0, 0},                        // cap 0: nothing on this device
        {NO_CAP, 10 * G, G, 12 * G, 0},              // others hold more than there is
        {NO_CAP, 10 * G, 0, 0, 10 * G},              // no reserve
        {NO_CAP, MAX, 0, 0, MAX},                    // extremes do not overflow
        {NO_CAP, 0, MAX, MAX, 0},
        {MAX - 1, MAX, MAX, MAX, 0},
    };

    @Test
    void budgetIsMinOfCapAndFreeLessReserveLessHeld() {
        for (long[] row : TABLE) {
            DeviceBudget b = new DeviceBudget(DeviceId.cuda(0), row[0], row[1], row[2], row[3]);
            assertThat(b.budgetBytes()).as("cap %d, free %d, reserve %d, held %d", row[0], row[1], row[2], row[3])
                    .isEqualTo(row[4]);
        }
    }

    @Test
    void ofADeviceHasTheDefaultReserveAndNoCap() {
        Device gpu = new Device(DeviceId.cuda(1), "GPU", "", "", 24 * G, 20 * G);
        DeviceBudget b = DeviceBudget.of(gpu);
        assertThat(b).isEqualTo(new DeviceBudget(DeviceId.cuda(1), NO_CAP, 20 * G, G, 0));
        assertThat(DeviceBudget.DEFAULT_RESERVE_BYTES).isEqualTo(1L << 30);
        assertThat(b.capped()).isFalse();
        assertThat(b.budgetBytes()).isEqualTo(19 * G);
        assertThat(b.withCapBytes(16 * G).withHeldBytes(4 * G).budgetBytes()).isEqualTo(12 * G);
        assertThat(b.withReserveBytes(2 * G).budgetBytes()).isEqualTo(18 * G);
    }

    @Test
    void explainsItsArithmetic() {
        DeviceBudget b = new DeviceBudget(DeviceId.cuda(0), NO_CAP, 10 * G, G, 0);
        assertThat(b.explain()).isEqualTo("9 GiB free after the 1 GiB reserve (10 GiB free on the device)");
        assertThat(b.withHeldBytes(2 * G).explain())
                .isEqualTo("7 GiB free after the 1 GiB reserve and 2 GiB held by other models (10 GiB free on the device)");
        assertThat(b.withCapBytes(6 * G).explain())
                .isEqualTo("6 GiB free after the 1 GiB reserve and the 6 GiB cap (10 GiB free on the device)");
        assertThat(b.withCapBytes(6 * G).withHeldBytes(G / 2).explain("model qwen"))
                .isEqualTo("5.5 GiB free after the 1 GiB reserve, the 6 GiB cap and 512 MiB held by model qwen"
                        + " (10 GiB free on the device)");
    }

    @Test
    void refusesNegativeFigures() {
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), NO_CAP, -1, G, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cuda0").hasMessageContaining("free -1");
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), -5, 0, 0, 0)).hasMessageContaining("cap -5");
        assertThatThrownBy(() -> new DeviceBudget(DeviceId.cuda(0), 0, 0, 0, -7)).hasMessageContaining("held -7");
    }
}
