package dev.strata.memory.shape;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufFormatException;
import dev.strata.memory.gguf.GgufRealModelsTest;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.plan.UnplannableModelException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Jazzer mutates GGUF headers (seeds: {@link GgufHeaderSeeds}, in {@code GgufHeaderFuzzTestInputs/}) and
 * sends each through what a load does before llama.cpp sees a file: the header reader, the shape reader
 * and the planner. A header may be rejected only with a {@link GgufFormatException} (the reader), a
 * {@link ModelShapeException} (the shape reader) or an {@link UnplannableModelException} (the planner); one
 * that is accepted must yield a shape and a plan whose layers add up and whose GPU parts fit their budgets.
 * Anything else (another exception, an OutOfMemoryError, a hang) is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seeds and past findings like a unit test; the surefire
 * execution {@code fuzz-gguf-header} fuzzes {@link #readerAndPlanner} for a minute in every build, and
 * {@link #readerAndPlannerLong} is the recorded long run (docs/hardening.md):
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 mvn -o test -pl memory-manager -Dtest='GgufHeaderFuzzTest#readerAndPlannerLong' -Djazzer.instrument='dev.strata.memory.**'
 * }</pre>
 */
class GgufHeaderFuzzTest {
    private static final long GIB = 1L << 30;
    /** The tensor data after the header: a sparse hole, so declared tensors of up to this size exist. */
    private static final long DATA_BYTES = 64 * GIB;
    /** The reader's heap cap in the fuzz JVM (-Xmx1g): a header that wants more must be refused, not OOM. */
    private static final long MAX_HEADER_HEAP = 64L << 20;
    private static final Path FILE = scratchFile();
    /** Held, so the level stays: fuzzed headers make the estimators warn on nearly every input. */
    private static final Logger QUIET = quiet();

    @FuzzTest(maxDuration = "30s")
    void readerAndPlanner(byte[] header) throws IOException {
        check(header);
    }

    @FuzzTest(maxExecutions = 1_000_000, maxDuration = "4h")
    void readerAndPlannerLong(byte[] header) throws IOException {
        check(header);
    }

    /**
     * The real models' headers (every GGUF in {@code shared/models}: stories260K, its MoE variant, all-MiniLM),
     * edited where and how Jazzer chooses: bytes overwritten, inserted or cut, the header truncated. Its own
     * surefire execution shares the CI minute with {@link #readerAndPlanner}.
     */
    @FuzzTest(maxDuration = "30s")
    void realHeadersEdited(FuzzedDataProvider data) throws IOException {
        List<byte[]> real = RealHeaders.ALL;
        byte[] header = real.get(data.consumeInt(0, real.size() - 1)).clone();
        for (int edits = data.consumeInt(1, 8); edits > 0 && header.length > 0 && data.remainingBytes() > 0; edits--) {
            int at = data.consumeInt(0, header.length - 1);
            switch (data.consumeInt(0, 3)) {
                case 0 -> { // overwrite
                    byte[] with = data.consumeBytes(Math.min(16, header.length - at));
                    System.arraycopy(with, 0, header, at, with.length);
                }
                case 1 -> { // insert
                    byte[] with = data.consumeBytes(16);
                    byte[] longer = new byte[header.length + with.length];
                    System.arraycopy(header, 0, longer, 0, at);
                    System.arraycopy(with, 0, longer, at, with.length);
                    System.arraycopy(header, at, longer, at + with.length, header.length - at);
                    header = longer;
                }
                case 2 -> { // cut
                    int n = data.consumeInt(1, Math.min(64, header.length - at));
                    byte[] shorter = new byte[header.length - n];
                    System.arraycopy(header, 0, shorter, 0, at);
                    System.arraycopy(header, at + n, shorter, at, header.length - at - n);
                    header = shorter;
                }
                default -> header = java.util.Arrays.copyOf(header, at); // truncate
            }
        }
        check(header);
    }

    /** Each real model's bytes up to its tensor data, read once. */
    private static final class RealHeaders {
        static final List<byte[]> ALL = read();

        private static List<byte[]> read() {
            try (var files = Files.list(GgufRealModelsTest.modelsDir())) {
                List<byte[]> out = new java.util.ArrayList<>();
                for (Path f : files.filter(f -> f.toString().endsWith(".gguf")).sorted().toList()) {
                    int length = (int) GgufFile.read(f).dataOffset();
                    try (var in = Files.newInputStream(f)) {
                        out.add(in.readNBytes(length));
                    }
                }
                assertThat(out).as("real GGUF headers").isNotEmpty();
                return List.copyOf(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void check(byte[] header) throws IOException {
        Files.write(FILE, header);
        try (RandomAccessFile raf = new RandomAccessFile(FILE.toFile(), "rw")) {
            raf.setLength(header.length + DATA_BYTES);
        }
        GgufFile gguf;
        try {
            gguf = GgufFile.read(FILE, MAX_HEADER_HEAP);
        } catch (GgufFormatException rejected) {
            return;
        }
        ModelShape shape;
        try {
            shape = ModelShape.of(gguf);
        } catch (ModelShapeException rejected) {
            return;
        }
        List<PlanDevice> gpus = List.of(gpu(0, 24 * GIB), gpu(1, 12 * GIB));
        for (int context : new int[] {512, 8192}) {
            PlanRequest request = new PlanRequest(KvCacheParams.defaults().withContext(context).withBatch(512, 512),
                    true, 256, CpuRepack.NONE, 64 * GIB, true);
            PlanResult result;
            try {
                result = Planner.plan(shape, gpus, request);
            } catch (UnplannableModelException refused) {
                return;
            }
            if (result instanceof Placement p) {
                int gpuLayers = p.gpus().stream().mapToInt(DevicePlan::layerCount).sum();
                assertThat(gpuLayers + p.cpuLayers()).isEqualTo(shape.layerCount());
                assertThat(p.gpus()).allSatisfy(d -> assertThat(d.fits()).isTrue());
            }
        }
    }

    private static PlanDevice gpu(int index, long capacity) {
        return new PlanDevice(new DeviceBudget(DeviceId.cuda(index), DeviceBudget.NO_CAP, capacity, GIB, 0, 0), 0);
    }

    private static Logger quiet() {
        Logger logger = Logger.getLogger("dev.strata");
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    private static Path scratchFile() {
        try {
            Path f = Files.createTempFile("strata-fuzz-", ".gguf");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
