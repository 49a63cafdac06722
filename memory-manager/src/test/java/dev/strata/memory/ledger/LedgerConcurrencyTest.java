package dev.strata.memory.ledger;

import static dev.strata.memory.device.DeviceBudget.NO_CAP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Many threads reserving at once against a small budget: never more than the budget is promised. */
class LedgerConcurrencyTest {

    private static final long G = ByteSize.GIB;
    private static final DeviceId CUDA0 = DeviceId.cuda(0);
    private static final DeviceId CUDA1 = DeviceId.cuda(1);
    private static final int THREADS = 32;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /** 11 GiB free, 1 GiB reserve: room for exactly 10 of 64 one-GiB models, whatever the interleaving. */
    @RepeatedTest(20)
    void exactlyAsManyAsFit() throws Exception {
        Ledger ledger = new Ledger();
        List<DeviceBudget> budgets = List.of(new DeviceBudget(CUDA0, NO_CAP, 11 * G, G, 0, 0));
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String model = "m" + i;
            results.add(pool.submit(() -> {
                if (ready.getCount() > 0) {
                    ready.countDown();
                }
                go.await();
                try {
                    ledger.reserve(model, Map.of(CUDA0, G), budgets);
                    return true;
                } catch (InsufficientMemoryException e) {
                    return false;
                }
            }));
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        int reserved = 0;
        for (Future<Boolean> f : results) {
            reserved += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(reserved).isEqualTo(10);
        assertThat(ledger.held(CUDA0)).isEqualTo(10 * G);
        assertThat(ledger.heldBy(CUDA0)).hasSize(10);
    }

    /**
     * Threads reserve across two devices with uneven sizes and release again, while an observer reads
     * the ledger: no device is ever over its budget, and no model ever holds one device without the other.
     * In the first round every worker asks before any releases (31 × at least 0.5 GiB against 9 GiB), so
     * some are refused whatever the scheduling.
     */
    @Test
    void reserveAndReleaseUnderContentionNeverOverbooks() throws Exception {
        Ledger ledger = new Ledger();
        long usable0 = 9 * G;
        long usable1 = 5 * G;
        List<DeviceBudget> budgets = List.of(
                new DeviceBudget(CUDA0, NO_CAP, usable0 + G, G, 0, 0),
                new DeviceBudget(CUDA1, usable1, 40 * G, G, 0, 0));
        int workers = THREADS - 1;
        int rounds = 300;
        CountDownLatch go = new CountDownLatch(1);
        CyclicBarrier allAsked = new CyclicBarrier(workers);
        AtomicBoolean working = new AtomicBoolean(true);
        AtomicLong maxSeen0 = new AtomicLong();
        AtomicLong maxSeen1 = new AtomicLong();
        AtomicLong granted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<String> torn = new ArrayList<>();

        Future<?> observer = pool.submit(() -> {
            go.await();
            while (working.get()) {
                maxSeen0.accumulateAndGet(ledger.held(CUDA0), Math::max);
                maxSeen1.accumulateAndGet(ledger.held(CUDA1), Math::max);
            }
            return null;
        });
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            futures.add(pool.submit(() -> {
                go.await();
                for (int round = 0; round < rounds; round++) {
                    long a = (1 + (worker + round) % 4) * G / 2;   // 0.5 .. 2 GiB
                    long b = (1 + (worker * 7 + round) % 3) * G / 2; // 0.5 .. 1.5 GiB
                    String model = "w" + worker + "-" + round;
                    try (Reservation r = ledger.reserve(model, Map.of(CUDA0, a, CUDA1, b), budgets)) {
                        granted.incrementAndGet();
                        Map<DeviceId, Long> mine = ledger.reservation(model);
                        if (!mine.equals(Map.of(CUDA0, a, CUDA1, b))) {
                            synchronized (torn) {
                                torn.add(model + " " + mine);
                            }
                        }
                        if (round == 0) {
                            allAsked.await(30, TimeUnit.SECONDS); // hold it until every worker has asked
                        }
                    } catch (InsufficientMemoryException e) {
                        refused.incrementAndGet();
                        if (!ledger.reservation(model).isEmpty()) {
                            synchronized (torn) {
                                torn.add(model + " refused but holds " + ledger.reservation(model));
                            }
                        }
                        if (round == 0) {
                            allAsked.await(30, TimeUnit.SECONDS);
                        }
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        working.set(false);
        observer.get(30, TimeUnit.SECONDS);

        assertThat(torn).isEmpty();
        assertThat(granted.get() + refused.get()).isEqualTo((long) workers * rounds);
        assertThat(granted.get()).isPositive();
        assertThat(refused.get()).as("the budget is small enough to refuse some").isPositive();
        assertThat(maxSeen0.get()).isLessThanOrEqualTo(usable0);
        assertThat(maxSeen1.get()).isLessThanOrEqualTo(usable1);
        assertThat(ledger.held(CUDA0)).isZero();
        assertThat(ledger.held(CUDA1)).isZero();
    }

    /**
     * Loaders that really use memory: each takes an epoch, reads free from the device, reserves,
     * allocates a little less than its estimate, commits, frees, and releases. Half of them load on
     * cuda0, which has no cap, so free decides there; half on cuda1, whose cap decides. Each round is
     * played in phases: on each device an early half reserves, loads and commits, and a late half
     * reserves after those commits, on a free figure read after them (no double count) or, every other
     * pair of rounds, before them (a stale reading). Within a phase the loaders race. The memory in use
     * on cuda0 never reaches into its 1 GiB reserve, and neither what Strata holds on cuda1 nor what it
     * uses there passes the cap: a loaded model is taken off free once, never zero times, and always
     * off the cap.
     */
    @Test
    void loadersThatCommitNeverOverbookTheDevice() throws Exception {
        Ledger ledger = new Ledger();
        FakeGpus gpus = new FakeGpus(12 * G, 5 * G);
        int workers = THREADS - 1;
        int rounds = 200;
        CyclicBarrier phase = new CyclicBarrier(workers);
        AtomicBoolean working = new AtomicBoolean(true);
        AtomicLong maxHeld1 = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        AtomicLong refused = new AtomicLong();

        Future<?> observer = pool.submit(() -> {
            while (working.get() && !Thread.currentThread().isInterrupted()) {
                maxHeld1.accumulateAndGet(ledger.held(CUDA1), Math::max);
            }
            return null;
        });
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            futures.add(pool.submit(() -> {
                DeviceId device = worker % 4 < 2 ? CUDA0 : CUDA1;
                for (int round = 0; round < rounds; round++) {
                    long estimate = (1 + (worker + round) % 4) * G / 2;   // 0.5 .. 2 GiB
                    long measured = estimate - (round % 3) * G / 8;       // at most the estimate
                    String model = "w" + worker + "-" + round;
                    boolean early = (worker + round) % 2 == 0;
                    boolean staleReading = (round / 2) % 2 == 0;
                    Reservation r = null;
                    Ledger.Epoch epoch = null;
                    List<DeviceBudget> budgets = null;

                    if (early) {                                  // 1: the early half reads and reserves
                        epoch = ledger.epoch();
                        budgets = gpus.read();
                        r = tryReserve(ledger, model, Map.of(device, estimate), budgets, epoch, refused);
                    }
                    phase.await(30, TimeUnit.SECONDS);
                    if (!early && staleReading) {                 // 2: the late half reads, before the commits
                        epoch = ledger.epoch();
                        budgets = gpus.read();
                    }
                    phase.await(30, TimeUnit.SECONDS);
                    if (early && r != null) {                     // 3: the early half loads and commits
                        gpus.allocate(device, measured);
                        ledger.commit(model, Map.of(device, measured));
                        committed.incrementAndGet();
                    }
                    phase.await(30, TimeUnit.SECONDS);
                    if (!early) {                                 // 4: the late half reserves
                        if (!staleReading) {                      //    reading free after the commits
                            epoch = ledger.epoch();
                            budgets = gpus.read();
                        }
                        r = tryReserve(ledger, model, Map.of(device, estimate), budgets, epoch, refused);
                        if (r != null) {
                            gpus.allocate(device, measured);
                            ledger.commit(model, Map.of(device, measured));
                            committed.incrementAndGet();
                        }
                    }
                    phase.await(30, TimeUnit.SECONDS);
                    if (r != null) {                              // 5: unload, then release
                        gpus.allocate(device, -measured);
                        r.close();
                    }
                    phase.await(30, TimeUnit.SECONDS);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        working.set(false);
        observer.get(30, TimeUnit.SECONDS);

        assertThat(committed.get() + refused.get()).isEqualTo((long) workers * rounds);
        assertThat(committed.get()).isPositive();
        assertThat(refused.get()).as("the late half asks for more than is left").isPositive();
        assertThat(gpus.maxUsed0.get()).as("in use on cuda0").isLessThanOrEqualTo(12 * G - G);
        assertThat(gpus.maxUsed1.get()).as("in use on cuda1").isLessThanOrEqualTo(5 * G);
        assertThat(maxHeld1.get()).as("held on cuda1").isLessThanOrEqualTo(5 * G);
        assertThat(gpus.used0.get() + gpus.used1.get()).isZero();
        assertThat(ledger.held(CUDA0) + ledger.held(CUDA1)).isZero();
        assertThat(ledger.epoch().commits()).isEqualTo(committed.get());
    }

    private static Reservation tryReserve(Ledger ledger, String model, Map<DeviceId, Long> bytes,
            List<DeviceBudget> budgets, Ledger.Epoch epoch, AtomicLong refused) {
        try {
            return ledger.reserve(model, bytes, budgets, epoch);
        } catch (InsufficientMemoryException e) {
            refused.incrementAndGet();
            return null;
        }
    }

    /** cuda0 with {@code total0} bytes and no cap; cuda1 with 40 GiB under a cap; both a 1 GiB reserve. */
    private static final class FakeGpus {
        final long total0;
        final long cap1;
        final AtomicLong used0 = new AtomicLong();
        final AtomicLong used1 = new AtomicLong();
        final AtomicLong maxUsed0 = new AtomicLong();
        final AtomicLong maxUsed1 = new AtomicLong();

        FakeGpus(long total0, long cap1) {
            this.total0 = total0;
            this.cap1 = cap1;
        }

        /** Free as the devices show it now (never below 0, even if a broken ledger overbooked them). */
        List<DeviceBudget> read() {
            return List.of(
                    new DeviceBudget(CUDA0, NO_CAP, Math.max(0, total0 - used0.get()), G, 0, 0),
                    new DeviceBudget(CUDA1, cap1, Math.max(0, 40 * G - used1.get()), G, 0, 0));
        }

        /** Allocates (or, negative, frees) on one device, noting the most ever in use. */
        void allocate(DeviceId device, long bytes) {
            AtomicLong used = device.equals(CUDA0) ? used0 : used1;
            AtomicLong max = device.equals(CUDA0) ? maxUsed0 : maxUsed1;
            max.accumulateAndGet(used.addAndGet(bytes), Math::max);
        }
    }
}
