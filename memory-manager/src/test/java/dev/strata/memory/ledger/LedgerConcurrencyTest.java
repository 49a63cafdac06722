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
}
