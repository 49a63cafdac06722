package dev.strata.models.proof;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.models.proof.ProofReport.Planned;
import dev.strata.models.proof.ProofReport.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The proof's pass logic and its report, on made-up numbers. */
class ProofReportTest {
    private static final long MIB = 1L << 20;

    @ParameterizedTest(name = "predicted {0} MiB, measured {1} MiB: {2}")
    @CsvSource({
            // small peaks: the 64 MiB floor
            "1000,  1064,  true",
            "1000,  1065,  false",
            "1065,  1000,  false",
            "1064,  1000,  true",
            // large peaks: 1% of the measured peak (24,282 MiB allows 242 MiB)
            "24524, 24282, true",
            "24525, 24282, false",
            "24040, 24282, true",
            "24039, 24282, false",
    })
    void aPredictionPassesWithinOnePercentOr64MiB(long predictedMib, long measuredMib, boolean passes) {
        assertThat(Tolerance.within(predictedMib * MIB, measuredMib * MIB)).isEqualTo(passes);
    }

    @Test
    void aDeviceOverItsCapFailsEvenWhenThePredictionHolds() {
        DeviceMeasure over = new DeviceMeasure("CUDA0", "layers 0-39", 24_600 * MIB, 24_590 * MIB, 24_576 * MIB, "");
        assertThat(over.predictionHolds()).isTrue();
        assertThat(over.capHolds()).isFalse();
        CaseResult r = result("pressure", "70b-24g", List.of(over), List.of());
        assertThat(r.passed()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("over the cap of 24,576 MiB");
    }

    @Test
    void theCasesOwnFailuresAndEachDevicesAreAllListed() {
        DeviceMeasure off = new DeviceMeasure("CUDA1", "layers 40-79", 12_000 * MIB, 12_200 * MIB, -1, "");
        CaseResult r = result("split", "dense-24+24", List.of(ok("CUDA0"), off), List.of("generation ended ERROR"));
        assertThat(r.problems()).containsExactly("generation ended ERROR",
                "CUDA1: predicted 12,000 MiB, measured 12,200 MiB: off by 200 MiB, more than the 122 MiB allowed");
    }

    @Test
    void nothingPredictedMeansOnlyTheCapIsJudged() {
        DeviceMeasure d = new DeviceMeasure("CUDA0", "-", -1, 9_000 * MIB, 10_240 * MIB, "");
        assertThat(d.predictionHolds()).isTrue();
        assertThat(result("ops", "ops-10g", List.of(d), List.of()).passed()).isTrue();
    }

    @Test
    void verdictIsPassedOnlyWhenEveryPlannedCaseRanAndPassed() {
        List<Planned> planned = List.of(new Planned("seed", "seed", "70B"), new Planned("accuracy", "a", "A"));
        CaseResult seed = result("seed", "seed", List.of(ok("CUDA0")), List.of());
        CaseResult a = result("accuracy", "a", List.of(ok("CUDA0")), List.of());
        CaseResult aFailed = result("accuracy", "a", List.of(ok("CUDA0")), List.of("generation ended ERROR"));

        assertThat(new ProofReport(planned, List.of(seed, a), List.of()).verdict()).isEqualTo(Verdict.PASSED);
        assertThat(new ProofReport(planned, List.of(seed), List.of()).verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(new ProofReport(planned, List.of(aFailed), List.of()).verdict()).isEqualTo(Verdict.FAILED);
        // a case nobody planned still counts
        CaseResult extra = result("pressure", "x", List.of(), List.of("boom"));
        assertThat(new ProofReport(planned, List.of(seed, a, extra), List.of()).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void thePartsMarkdownShowsEveryDeviceTheFailuresAndCasesThatDidNotRun() {
        List<Planned> planned = List.of(new Planned("split", "dense-24+24", "Gemma"), new Planned("split", "moe-24+12", "Qwen3"));
        DeviceMeasure off = new DeviceMeasure("CUDA1", "layers 31-61 + output", 12_000 * MIB, 12_200 * MIB, 24_576 * MIB,
                "weights 11,000 MiB, KV 600 MiB, compute 300 MiB");
        ProofReport report = new ProofReport(planned, List.of(result("split", "dense-24+24", List.of(ok("CUDA0"), off),
                List.of())), List.of("Machine: two fake GPUs"));

        String md = report.part("split");
        assertThat(md).contains("Machine: two fake GPUs")
                .contains("| dense-24+24 | CUDA0 | layers 0-30 | 10,000 MiB | 10,010 MiB | -10 MiB (-0.10%) | 100 MiB | 24,576 MiB | pass |")
                .contains("| dense-24+24 | CUDA1 | layers 31-61 + output | 12,000 MiB | 12,200 MiB | -200 MiB (-1.64%) | 122 MiB | 24,576 MiB | FAIL |")
                .contains("| moe-24+12 | | | | | | | | NOT RUN |")
                .contains("- CUDA1, llama.cpp's breakdown: weights 11,000 MiB")
                .contains("**FAILED**: CUDA1: predicted 12,000 MiB");
        assertThat(report.summary()).contains("| split | moe-24+12 | NOT RUN | – |").contains("Verdict: **FAILED**");
    }

    @Test
    void resultsSurviveTheFileAndTheReportIsWrittenPerPart(@TempDir Path dir) throws Exception {
        ResultLog log = new ResultLog(dir.resolve("work/results.jsonl"));
        CaseResult seed = result("seed", "seed", List.of(ok("CUDA0")), List.of());
        log.append(seed);
        log.append(result("ops", "ops-10g", List.of(), List.of("operation 7 failed")));
        assertThat(log.read()).containsExactly(seed, result("ops", "ops-10g", List.of(), List.of("operation 7 failed")));

        Path plannedFile = dir.resolve("planned.tsv");
        Files.writeString(plannedFile, "seed\tseed\tthe seed case\nops\tops-10g\t100 operations\npressure\t70b-24g\t70B\n");
        List<Planned> planned = ProofReport.readPlanned(plannedFile);
        assertThat(planned).extracting(Planned::name).containsExactly("seed", "ops-10g", "70b-24g");

        List<Path> files = new ProofReport(planned, log.read(), List.of()).write(dir.resolve("out"));
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("seed.md", "ops.md", "pressure.md", "summary.md");
        assertThat(Files.readString(dir.resolve("out/pressure.md"))).contains("70b-24g: 70B — NOT RUN");
    }

    private static DeviceMeasure ok(String device) {
        return new DeviceMeasure(device, "layers 0-30", 10_000 * MIB, 10_010 * MIB, 24_576 * MIB, "");
    }

    private static CaseResult result(String part, String name, List<DeviceMeasure> devices, List<String> failures) {
        return new CaseResult(part, name, name + " title", 1.5, devices, List.of("a note"), failures);
    }
}
