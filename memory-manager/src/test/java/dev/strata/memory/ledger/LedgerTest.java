package dev.strata.memory.ledger;

import static dev.strata.memory.device.DeviceBudget.NO_CAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.Device;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerTest {

    private static final long G = ByteSize.GIB;
    private static final DeviceId CUDA0 = DeviceId.cuda(0);
    private static final DeviceId CUDA1 = DeviceId.cuda(1);

    /** 10 GiB free on each GPU, 1 GiB reserve: 9 GiB to share. */
    private static final List<DeviceBudget> TWO_GPUS = List.of(
            new DeviceBudget(CUDA0, NO_CAP, 10 * G, G, 0, 0),
            new DeviceBudget(CUDA1, NO_CAP, 10 * G, G, 0, 0),
            new DeviceBudget(DeviceId.CPU, NO_CAP, 64 * G, 4 * G, 0, 0));

    private final Ledger ledger = new Ledger();

    @Test
    void reservesWhatFitsAndReleasesOnClose() throws Exception {
        Reservation r = ledger.reserve("a", Map.of(CUDA0, 6 * G, CUDA1, 2 * G), TWO_GPUS);
        assertThat(r.modelId()).isEqualTo("a");
        assertThat(r.bytes()).containsExactly(Map.entry(CUDA0, 6 * G), Map.entry(CUDA1, 2 * G));
        assertThat(r.held()).isTrue();
        assertThat(ledger.held(CUDA0)).isEqualTo(6 * G);
        assertThat(ledger.held(CUDA0, "a")).isZero();
        assertThat(ledger.held(CUDA0, "other")).isEqualTo(6 * G);
        assertThat(ledger.heldBy(CUDA1)).containsExactly(Map.entry("a", 2 * G));
        assertThat(ledger.reservation("a")).isEqualTo(r.bytes());

        r.close();
        assertThat(r.held()).isFalse();
        assertThat(r.bytes()).isEmpty();
        assertThat(ledger.held(CUDA0)).isZero();
        assertThat(ledger.reservation("a")).isEmpty();
        r.close(); // idempotent
        assertThat(r.toString()).isEqualTo("Reservation[a, released]");
    }

    /** others hold, cap, free, reserve, need → fits? The budget arithmetic as the ledger applies it. */
    @Test
    void fitsExactlyUpToTheBudget() {
        long[][] table = {
            // held by others, cap, free, reserve, need, fits (1/0)
            {0, NO_CAP, 10 * G, G, 9 * G, 1},
            {0, NO_CAP, 10 * G, G, 9 * G + 1, 0},
            {3 * G, NO_CAP, 10 * G, G, 6 * G, 1},
            {3 * G, NO_CAP, 10 * G, G, 6 * G + 1, 0},
            {0, 4 * G, 10 * G, G, 4 * G, 1},
            {0, 4 * G, 10 * G, G, 4 * G + 1, 0},
            {3 * G, 4 * G, 10 * G, G, G, 1},
            {3 * G, 4 * G, 10 * G, G, G + 1, 0},
            {0, NO_CAP, G / 2, G, 1, 0},
            {0, NO_CAP, G / 2, G, 0, 1},     // asking for nothing always fits
            {0, 0, 10 * G, G, 1, 0},
        };
        for (long[] row : table) {
            Ledger l = new Ledger();
            List<DeviceBudget> budget = List.of(new DeviceBudget(CUDA0, row[1], row[2], row[3], 0, 0));
            if (row[0] > 0) {
                reserveUnchecked(l, "other", CUDA0, row[0]);
            }
            boolean fits;
            try {
                l.reserve("m", Map.of(CUDA0, row[4]), budget);
                fits = true;
            } catch (InsufficientMemoryException e) {
                fits = false;
                assertThat(e.shortfalls()).singleElement().satisfies(s -> assertThat(s.missingBytes()).isPositive());
            }
            assertThat(fits).as("others %d, cap %d, free %d, reserve %d, need %d", row[0], row[1], row[2], row[3], row[4])
                    .isEqualTo(row[5] == 1);
            assertThat(l.held(CUDA0)).isEqualTo(row[0] + (fits ? row[4] : 0));
        }
    }

    private static void reserveUnchecked(Ledger l, String model, DeviceId device, long bytes) {
        try {
            l.reserve(model, Map.of(device, bytes), List.of(new DeviceBudget(device, NO_CAP, Long.MAX_VALUE, 0, 0, 0)));
        } catch (InsufficientMemoryException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void allOrNothingAcrossDevicesAndTheMessageHasTheNumbers() throws Exception {
        ledger.reserve("X", Map.of(CUDA1, 2 * G), TWO_GPUS);
        long free = ByteSize.parse("7.1GiB").bytes();
        List<DeviceBudget> budgets = List.of(
                new DeviceBudget(CUDA0, NO_CAP, 20 * G, G, 0, 0),
                new DeviceBudget(CUDA1, NO_CAP, free, G, 0, 0));
        Map<DeviceId, Long> want = Map.of(CUDA0, 5 * G, CUDA1, ByteSize.parse("9.4GiB").bytes());

        assertThatThrownBy(() -> ledger.reserve("B", want, budgets))
                .isInstanceOfSatisfying(InsufficientMemoryException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("model B does not fit: cuda1 needs 9.4 GiB, 4.1 GiB free after"
                            + " the 1 GiB reserve and 2 GiB held by model X (7.1 GiB free on the device), short by 5.3 GiB");
                    assertThat(e.modelId()).isEqualTo("B");
                    Shortfall s = e.shortfalls().get(0);
                    assertThat(s.device()).isEqualTo(CUDA1);
                    assertThat(s.budget().heldBytes()).isEqualTo(2 * G);
                    assertThat(s.heldBy()).containsExactly(Map.entry("X", 2 * G));
                    assertThat(s.missingBytes()).isEqualTo(want.get(CUDA1) - (free - 3 * G));
                });
        assertThat(ledger.held(CUDA0)).as("nothing reserved on the device that had room").isZero();
        assertThat(ledger.reservation("B")).isEmpty();
    }

    @Test
    void namesEveryDeviceThatLacksRoom() throws Exception {
        ledger.reserve("p", Map.of(CUDA0, 4 * G), TWO_GPUS);
        ledger.reserve("q", Map.of(CUDA0, 3 * G), TWO_GPUS);
        List<DeviceBudget> capped = List.of(
                new DeviceBudget(CUDA0, NO_CAP, 10 * G, G, 0, 0),
                new DeviceBudget(CUDA1, 6 * G, 10 * G, G, 0, 0));
        assertThatThrownBy(() -> ledger.reserve("r", Map.of(CUDA0, 3 * G, CUDA1, 7 * G), capped))
                .hasMessage("model r does not fit: "
                        + "cuda0 needs 3 GiB, 2 GiB free after the 1 GiB reserve and 7 GiB held by models p 4 GiB, q 3 GiB"
                        + " (10 GiB free on the device), short by 1 GiB; "
                        + "cuda1 needs 7 GiB, 6 GiB free after the 1 GiB reserve and the 6 GiB cap"
                        + " (10 GiB free on the device), short by 1 GiB");
    }

    @Test
    void theLedgerDecidesWhatIsHeldNotTheCaller() throws Exception {
        ledger.reserve("a", Map.of(CUDA0, 8 * G), TWO_GPUS);
        // A budget computed before "a" reserved says nothing is held; the ledger knows better.
        List<DeviceBudget> stale = List.of(new DeviceBudget(CUDA0, NO_CAP, 10 * G, G, 0, 0));
        assertThatThrownBy(() -> ledger.reserve("b", Map.of(CUDA0, 2 * G), stale))
                .isInstanceOf(InsufficientMemoryException.class).hasMessageContaining("held by model a");
        // And a budget that claims more is held than is does not shrink it.
        List<DeviceBudget> pessimistic = List.of(new DeviceBudget(CUDA0, NO_CAP, 10 * G, G, 9 * G, 0));
        ledger.reserve("c", Map.of(CUDA0, G), pessimistic);
        assertThat(ledger.held(CUDA0)).isEqualTo(9 * G);
    }

    @Test
    void replaceSwapsTheEstimateForMeasuredFigures() throws Exception {
        Reservation r = ledger.reserve("a", Map.of(CUDA0, 6 * G), TWO_GPUS);
        Map<DeviceId, Long> before = ledger.replace("a", Map.of(CUDA0, 7 * G, DeviceId.CPU, G));
        assertThat(before).containsExactly(Map.entry(CUDA0, 6 * G));
        assertThat(r.bytes()).containsExactly(Map.entry(CUDA0, 7 * G), Map.entry(DeviceId.CPU, G));
        assertThat(ledger.held(CUDA0)).isEqualTo(7 * G);
        // Measured figures are recorded even past the budget: they are in use.
        ledger.replace("a", Map.of(CUDA0, 12 * G));
        assertThat(ledger.held(CUDA0)).isEqualTo(12 * G);
        r.close();
        assertThat(ledger.held(CUDA0)).isZero();
        assertThatThrownBy(() -> ledger.replace("a", Map.of(CUDA0, G)))
                .isInstanceOf(IllegalStateException.class).hasMessage("model a holds no reservation to replace");
    }

    @Test
    void oneReservationPerModel() throws Exception {
        ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS);
        assertThatThrownBy(() -> ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model a already holds 1 GiB on cuda0; release it first, or replace() its figures");
        assertThat(ledger.held(CUDA0)).isEqualTo(G);
    }

    @Test
    void anOldHandleDoesNotReleaseANewReservation() throws Exception {
        Reservation old = ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS);
        assertThat(ledger.release("a")).isTrue();
        assertThat(ledger.release("a")).isFalse();
        Reservation fresh = ledger.reserve("a", Map.of(CUDA0, 2 * G), TWO_GPUS);
        assertThat(old.held()).isFalse();
        assertThat(old.bytes()).isEmpty();
        old.close();
        assertThat(fresh.held()).isTrue();
        assertThat(ledger.held(CUDA0)).isEqualTo(2 * G);
        fresh.close();
        assertThat(ledger.held(CUDA0)).isZero();
    }

    @Test
    void zerosAreNotRecordedAndNeedNoBudget() throws Exception {
        DeviceId cuda5 = DeviceId.cuda(5);
        Reservation r = ledger.reserve("a", Map.of(CUDA0, G, cuda5, 0L), TWO_GPUS);
        assertThat(r.bytes()).containsOnlyKeys(CUDA0);
        Reservation empty = ledger.reserve("b", Map.of(), TWO_GPUS);
        assertThat(empty.held()).isTrue();
        assertThat(empty.bytes()).isEmpty();
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> ledger.reserve("a", Map.of(CUDA0, -1L), TWO_GPUS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("model a: -1 bytes on cuda0 is negative");
        assertThatThrownBy(() -> ledger.reserve("a", Map.of(DeviceId.cuda(3), G), TWO_GPUS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model a asks for 1 GiB on cuda3, which has no budget");
        assertThatThrownBy(() -> ledger.reserve("a", Map.of(CUDA0, G),
                List.of(DeviceBudget.of(new Device(CUDA0, "x", "", "", G, G)),
                        new DeviceBudget(CUDA0, NO_CAP, G, 0, 0, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("two budgets for cuda0");
        assertThat(ledger.held(CUDA0)).isZero();
    }
}
