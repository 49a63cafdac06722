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

    /**
     * Others' pending and allocated bytes, cap, free, reserve, need → fits? The budget arithmetic as the
     * ledger applies it, with "allocated" committed before the free figure was read.
     */
    @Test
    void fitsExactlyUpToTheBudget() throws Exception {
        long[][] table = {
            // others pending, others allocated, cap, free, reserve, need, fits (1/0)
            {0, 0, NO_CAP, 10 * G, G, 9 * G, 1},
            {0, 0, NO_CAP, 10 * G, G, 9 * G + 1, 0},
            {3 * G, 0, NO_CAP, 10 * G, G, 6 * G, 1},
            {3 * G, 0, NO_CAP, 10 * G, G, 6 * G + 1, 0},
            {0, 0, 4 * G, 10 * G, G, 4 * G, 1},
            {0, 0, 4 * G, 10 * G, G, 4 * G + 1, 0},
            {3 * G, 0, 4 * G, 10 * G, G, G, 1},
            {3 * G, 0, 4 * G, 10 * G, G, G + 1, 0},
            {0, 0, NO_CAP, G / 2, G, 1, 0},
            {0, 0, NO_CAP, G / 2, G, 0, 1},        // asking for nothing always fits
            {0, 0, 0, 10 * G, G, 1, 0},
            // A loaded model (3 GiB, already missing from the 10 GiB free): free alone decides ...
            {0, 3 * G, NO_CAP, 10 * G, G, 9 * G, 1},
            {0, 3 * G, NO_CAP, 10 * G, G, 9 * G + 1, 0},
            // ... but it still counts against a cap
            {0, 3 * G, 8 * G, 10 * G, G, 5 * G, 1},
            {0, 3 * G, 8 * G, 10 * G, G, 5 * G + 1, 0},
            // Both: 2 GiB pending come off free and the cap, 3 GiB allocated off the cap only
            {2 * G, 3 * G, NO_CAP, 10 * G, G, 7 * G, 1},
            {2 * G, 3 * G, NO_CAP, 10 * G, G, 7 * G + 1, 0},
            {2 * G, 3 * G, 10 * G, 10 * G, G, 5 * G, 1},
            {2 * G, 3 * G, 10 * G, 10 * G, G, 5 * G + 1, 0},
        };
        for (long[] row : table) {
            Ledger l = new Ledger();
            if (row[0] > 0) {
                reserveUnchecked(l, "pending", CUDA0, row[0]);
            }
            if (row[1] > 0) {
                reserveUnchecked(l, "loaded", CUDA0, row[1]);
                l.commit("loaded", Map.of(CUDA0, row[1]));
            }
            Ledger.Epoch epoch = l.epoch(); // the free figure below is read after this
            List<DeviceBudget> budget = List.of(new DeviceBudget(CUDA0, row[2], row[3], row[4], 0, 0));
            boolean fits;
            try {
                l.reserve("m", Map.of(CUDA0, row[5]), budget, epoch);
                fits = true;
            } catch (InsufficientMemoryException e) {
                fits = false;
                assertThat(e.shortfalls()).singleElement().satisfies(s -> assertThat(s.missingBytes()).isPositive());
            }
            assertThat(fits).as("others pending %d, allocated %d, cap %d, free %d, reserve %d, need %d",
                    row[0], row[1], row[2], row[3], row[4], row[5]).isEqualTo(row[6] == 1);
            assertThat(l.held(CUDA0)).isEqualTo(row[0] + row[1] + (fits ? row[5] : 0));
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
    void commitSwapsTheEstimateForMeasuredFiguresAndMarksThemAllocated() throws Exception {
        Reservation r = ledger.reserve("a", Map.of(CUDA0, 6 * G), TWO_GPUS);
        assertThat(r.state()).isEqualTo(ReservationState.PENDING);
        assertThat(r).hasToString("Reservation[a PENDING {cuda0=6442450944}]");
        Map<DeviceId, Long> before = ledger.commit("a", Map.of(CUDA0, 7 * G, DeviceId.CPU, G));
        assertThat(before).containsExactly(Map.entry(CUDA0, 6 * G));
        assertThat(r.state()).isEqualTo(ReservationState.ALLOCATED);
        assertThat(r.bytes()).containsExactly(Map.entry(CUDA0, 7 * G), Map.entry(DeviceId.CPU, G));
        assertThat(ledger.held(CUDA0)).isEqualTo(7 * G);
        // Measured figures are recorded even past the budget: they are in use.
        ledger.commit("a", Map.of(CUDA0, 12 * G));
        assertThat(ledger.held(CUDA0)).isEqualTo(12 * G);
        assertThat(r.state()).isEqualTo(ReservationState.ALLOCATED);
        r.close();
        assertThat(r.state()).isEqualTo(ReservationState.RELEASED);
        assertThat(ledger.held(CUDA0)).isZero();
        assertThatThrownBy(() -> ledger.commit("a", Map.of(CUDA0, G)))
                .isInstanceOf(IllegalStateException.class).hasMessage("model a holds no reservation to commit");
    }

    /**
     * The review's case: model A is loaded on a 24 GiB card and measured at 10.5 GiB; the device now
     * shows 13.5 GiB free. Model B may take all of it but the 1 GiB reserve, 12.5 GiB: A is not taken
     * off free a second time. A cap still counts A.
     */
    @Test
    void aLoadedModelIsNotTakenOffFreeTwice() throws Exception {
        FakeGpu gpu = new FakeGpu(24 * G);
        Ledger.Epoch beforeA = ledger.epoch();
        Reservation a = ledger.reserve("A", Map.of(CUDA0, 10 * G), List.of(gpu.budget()), beforeA);
        gpu.allocate(10 * G + G / 2);
        ledger.commit("A", Map.of(CUDA0, 10 * G + G / 2));
        assertThat(a.state()).isEqualTo(ReservationState.ALLOCATED);

        Ledger.Epoch epoch = ledger.epoch();
        DeviceBudget now = gpu.budget();
        assertThat(now.freeBytes()).isEqualTo(13 * G + G / 2);
        DeviceBudget forB = ledger.budgetFor("B", now, epoch);
        assertThat(forB.heldPendingBytes()).isZero();
        assertThat(forB.heldAllocatedBytes()).isEqualTo(10 * G + G / 2);
        assertThat(forB.budgetBytes()).isEqualTo(12 * G + G / 2);

        long room = 12 * G + G / 2;
        assertThatThrownBy(() -> ledger.reserve("B", Map.of(CUDA0, room + 1), List.of(now), epoch))
                .hasMessage("model B does not fit: cuda0 needs 12.5 GiB, 12.5 GiB free after the 1 GiB reserve and"
                        + " 10.5 GiB held by model A, already allocated (13.5 GiB free on the device), short by 1 B");
        Reservation b = ledger.reserve("B", Map.of(CUDA0, room), List.of(now), epoch);
        gpu.allocate(room);
        assertThat(gpu.free()).as("B's load leaves exactly the reserve").isEqualTo(G);
        b.close();
        gpu.allocate(-room);

        // A 20 GiB cap covers everything Strata holds on the card, A included: 20 − 10.5.
        DeviceBudget capped = gpu.budget().withCapBytes(20 * G);
        assertThat(ledger.budgetFor("B", capped, epoch).budgetBytes()).isEqualTo(9 * G + G / 2);
        assertThatThrownBy(() -> ledger.reserve("B", Map.of(CUDA0, 9 * G + G / 2 + 1), List.of(capped), epoch))
                .hasMessage("model B does not fit: cuda0 needs 9.5 GiB, 9.5 GiB free after the 1 GiB reserve, the 20 GiB"
                        + " cap and 10.5 GiB held by model A, already allocated (13.5 GiB free on the device),"
                        + " short by 1 B");
        ledger.reserve("B", Map.of(CUDA0, 9 * G + G / 2), List.of(capped), epoch).close();

        // Without an epoch the free figure's age is unknown: A comes off it again, as before the fix.
        assertThatThrownBy(() -> ledger.reserve("B", Map.of(CUDA0, room), List.of(now)))
                .hasMessage("model B does not fit: cuda0 needs 12.5 GiB, 2 GiB free after the 1 GiB reserve and"
                        + " 10.5 GiB held by model A (13.5 GiB free on the device), short by 10.5 GiB");
    }

    /** Reserved but not loaded yet: its memory is still in the free figure, so it comes off free. */
    @Test
    void aPendingModelIsTakenOffFree() throws Exception {
        FakeGpu gpu = new FakeGpu(24 * G);
        ledger.reserve("A", Map.of(CUDA0, 10 * G), List.of(gpu.budget()), ledger.epoch());
        Ledger.Epoch epoch = ledger.epoch();
        DeviceBudget forB = ledger.budgetFor("B", gpu.budget(), epoch);
        assertThat(forB.heldPendingBytes()).isEqualTo(10 * G);
        assertThat(forB.heldAllocatedBytes()).isZero();
        assertThat(forB.budgetBytes()).isEqualTo(13 * G);
        assertThatThrownBy(() -> ledger.reserve("B", Map.of(CUDA0, 13 * G + 1), List.of(gpu.budget()), epoch))
                .isInstanceOf(InsufficientMemoryException.class);
        ledger.reserve("B", Map.of(CUDA0, 13 * G), List.of(gpu.budget()), epoch);
        assertThat(ledger.held(CUDA0)).isEqualTo(23 * G);
    }

    /** A loaded (10.5 GiB, gone from free) and C loading (4 GiB, still in free) on one card. */
    @Test
    void aLoadedAndAPendingModelTogether() throws Exception {
        FakeGpu gpu = new FakeGpu(24 * G);
        ledger.reserve("A", Map.of(CUDA0, 10 * G), List.of(gpu.budget()), ledger.epoch());
        gpu.allocate(10 * G + G / 2);
        ledger.commit("A", Map.of(CUDA0, 10 * G + G / 2));
        ledger.reserve("C", Map.of(CUDA0, 4 * G), List.of(gpu.budget()), ledger.epoch());

        Ledger.Epoch epoch = ledger.epoch();
        DeviceBudget forB = ledger.budgetFor("B", gpu.budget(), epoch);
        assertThat(forB.heldPendingBytes()).isEqualTo(4 * G);
        assertThat(forB.heldAllocatedBytes()).isEqualTo(10 * G + G / 2);
        assertThat(forB.budgetBytes()).as("13.5 free − 1 reserve − 4 pending").isEqualTo(8 * G + G / 2);
        assertThat(ledger.budgetFor("B", gpu.budget().withCapBytes(20 * G), epoch).budgetBytes())
                .as("20 cap − 4 − 10.5").isEqualTo(5 * G + G / 2);
        assertThatThrownBy(() -> ledger.reserve("B", Map.of(CUDA0, 9 * G),
                        List.of(gpu.budget().withCapBytes(20 * G)), epoch))
                .hasMessage("model B does not fit: cuda0 needs 9 GiB, 5.5 GiB free after the 1 GiB reserve, the 20 GiB"
                        + " cap and 14.5 GiB held by models A 10.5 GiB, C 4 GiB, of which 4 GiB not yet allocated"
                        + " (13.5 GiB free on the device), short by 3.5 GiB");
        // The budget for A itself leaves A out.
        assertThat(ledger.budgetFor("A", gpu.budget(), epoch).heldBytes()).isEqualTo(4 * G);
    }

    /**
     * A free figure read before a model was committed may still count that model's memory as free, so
     * the model comes off it: a stale reading cannot overbook. The same goes for a commit made again.
     */
    @Test
    void aFreeFigureReadBeforeTheCommitStillTakesTheModelOff() throws Exception {
        FakeGpu gpu = new FakeGpu(24 * G);
        ledger.reserve("A", Map.of(CUDA0, 10 * G), List.of(gpu.budget()), ledger.epoch());
        Ledger.Epoch early = ledger.epoch();
        DeviceBudget stale = gpu.budget(); // 24 GiB free: read before A's load
        gpu.allocate(10 * G);
        ledger.commit("A", Map.of(CUDA0, 10 * G));

        DeviceBudget forB = ledger.budgetFor("B", stale, early);
        assertThat(forB.heldPendingBytes()).as("committed after the reading").isEqualTo(10 * G);
        assertThat(forB.heldAllocatedBytes()).isZero();
        assertThat(forB.budgetBytes()).isEqualTo(13 * G);
        assertThatThrownBy(() -> ledger.reserve("B", Map.of(CUDA0, 13 * G + 1), List.of(stale), early))
                .isInstanceOf(InsufficientMemoryException.class);

        Ledger.Epoch fresh = ledger.epoch();
        assertThat(ledger.budgetFor("B", gpu.budget(), fresh).heldAllocatedBytes()).isEqualTo(10 * G);
        gpu.allocate(G);
        ledger.commit("A", Map.of(CUDA0, 11 * G)); // measured again, grown: counts as new
        assertThat(ledger.budgetFor("B", gpu.budget(), fresh).heldPendingBytes()).isEqualTo(11 * G);
        assertThat(ledger.budgetFor("B", gpu.budget(), ledger.epoch()).heldAllocatedBytes()).isEqualTo(11 * G);
    }

    @Test
    void anEpochFromAnotherLedgerIsRefused() throws Exception {
        Ledger other = new Ledger();
        other.reserve("x", Map.of(CUDA0, G), TWO_GPUS);
        other.commit("x", Map.of(CUDA0, G));
        Ledger.Epoch foreign = other.epoch();
        assertThat(foreign.commits()).isEqualTo(1);
        assertThatThrownBy(() -> ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS, foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch 1 is ahead of this ledger's 0 commits: it was taken from another ledger");
        assertThatThrownBy(() -> ledger.budgetFor("a", TWO_GPUS.get(0), foreign))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ledger.Epoch(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ledger.held(CUDA0)).isZero();
    }

    @Test
    void aReservationReleasedThroughTheLedgerReadsReleased() throws Exception {
        Reservation r = ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS);
        ledger.commit("a", Map.of(CUDA0, G));
        assertThat(ledger.release("a")).isTrue();
        assertThat(r.state()).isEqualTo(ReservationState.RELEASED);
        assertThat(r).hasToString("Reservation[a, released]");
    }

    /** One GPU whose free figure drops by what is allocated on it, read into a budget with a 1 GiB reserve. */
    private static final class FakeGpu {
        private final long total;
        private long used;

        FakeGpu(long total) {
            this.total = total;
        }

        void allocate(long bytes) {
            used += bytes;
        }

        long free() {
            return total - used;
        }

        DeviceBudget budget() {
            return new DeviceBudget(CUDA0, NO_CAP, free(), G, 0, 0);
        }
    }

    @Test
    void oneReservationPerModel() throws Exception {
        ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS);
        assertThatThrownBy(() -> ledger.reserve("a", Map.of(CUDA0, G), TWO_GPUS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model a already holds 1 GiB on cuda0; release it first, or commit() measured figures");
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
