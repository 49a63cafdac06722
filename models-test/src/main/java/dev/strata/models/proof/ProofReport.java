package dev.strata.models.proof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the GPU proof's results as markdown, one file per part plus a summary, and decides the
 * verdict: every case that was meant to run ran and passed. Pure apart from {@link #main}.
 *
 * <pre>{@code
 * ProofReport report = new ProofReport(planned, new ResultLog(results).read(), header);
 * report.part("accuracy");   // the markdown of docs/gpu-proof.md's accuracy table
 * report.verdict();          // PASSED, FAILED or INCOMPLETE
 * }</pre>
 *
 * Command line (models-test/gpu/proof.sh runs it last):
 * <pre>{@code
 * java -cp ... dev.strata.models.proof.ProofReport RESULTS.jsonl PLANNED.tsv OUT_DIR "machine line" "command line"
 * }</pre>
 * PLANNED.tsv has one line per case meant to run: {@code part<TAB>name<TAB>title}. The exit status
 * is 0 when everything passed, 1 when a case failed, 2 when none failed but some did not run.
 */
public final class ProofReport {
    /** What the run as a whole shows. */
    public enum Verdict {
        /** Every planned case ran and passed. */
        PASSED,
        /** At least one case failed a check. */
        FAILED,
        /** None failed, but at least one planned case left no result (time ran out, or its JVM died). */
        INCOMPLETE
    }

    /** A case meant to run. */
    public record Planned(String part, String name, String title) {}

    private static final Map<String, String> PART_TITLES = Map.of(
            "accuracy", "Predicted against measured peak device use",
            "seed", "The seed case: DeepSeek-R1-Distill-Llama-70B Q5_K_S shape",
            "pressure", "Models bigger than a per-device cap: CPU offload, context filled, cap kept",
            "ops", "Randomized load / unload / generate under a tight cap",
            "split", "Layer split across two GPUs: predicted against measured, per device",
            "placement", "Placement and eviction of three models across two GPUs",
            "speed", "Split generation against llama.cpp's llama-bench");

    private final List<Planned> planned;
    private final List<CaseResult> results;
    private final List<String> header;

    /**
     * @param planned the cases meant to run, in order
     * @param results what the cases appended (cases not in {@code planned} are still shown)
     * @param header  lines at the top of every file (machine, date, command)
     */
    public ProofReport(List<Planned> planned, List<CaseResult> results, List<String> header) {
        this.planned = List.copyOf(planned);
        this.results = List.copyOf(results);
        this.header = List.copyOf(header);
    }

    /** The parts with a planned case or a result, in the order first seen. */
    public List<String> parts() {
        List<String> parts = new ArrayList<>();
        planned.forEach(p -> addOnce(parts, p.part()));
        results.forEach(r -> addOnce(parts, r.part()));
        return parts;
    }

    private static void addOnce(List<String> list, String s) {
        if (!list.contains(s)) {
            list.add(s);
        }
    }

    /** The last result of that case, if it left one. */
    public Optional<CaseResult> result(String part, String name) {
        CaseResult found = null;
        for (CaseResult r : results) {
            if (r.part().equals(part) && r.name().equals(name)) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The cases of a part, planned ones first (in order), then results nobody planned. */
    private List<Planned> casesOf(String part) {
        Map<String, Planned> cases = new LinkedHashMap<>();
        planned.stream().filter(p -> p.part().equals(part)).forEach(p -> cases.putIfAbsent(p.name(), p));
        results.stream().filter(r -> r.part().equals(part))
                .forEach(r -> cases.putIfAbsent(r.name(), new Planned(part, r.name(), r.title())));
        return List.copyOf(cases.values());
    }

    public Verdict verdict() {
        boolean missing = false;
        for (String part : parts()) {
            for (Planned c : casesOf(part)) {
                Optional<CaseResult> r = result(part, c.name());
                if (r.isEmpty()) {
                    missing = true;
                } else if (!r.get().passed()) {
                    return Verdict.FAILED;
                }
            }
        }
        return missing ? Verdict.INCOMPLETE : Verdict.PASSED;
    }

    /** "PASS", "FAIL" or "NOT RUN" for one case. */
    public String status(String part, String name) {
        return result(part, name).map(r -> r.passed() ? "PASS" : "FAIL").orElse("NOT RUN");
    }

    /** The markdown of one part: a table of every device of every case, then each case's notes and failures. */
    public String part(String part) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(PART_TITLES.getOrDefault(part, part)).append("\n\n");
        header.forEach(h -> md.append(h).append("  \n"));
        md.append('\n');
        List<Planned> cases = casesOf(part);
        boolean anyDevices = cases.stream().anyMatch(c -> result(part, c.name()).map(r -> !r.devices().isEmpty()).orElse(false));
        if (anyDevices) {
            md.append("Pass: predicted within max(1%, 64 MiB) of the measured peak, and the peak at or under the cap. ")
                    .append("Predicted and measured include this process's CUDA context; measured is the peak of total − free, ")
                    .append("sampled every 2 ms.\n\n");
            md.append("| case | device | layers there | predicted | measured peak | predicted − measured | allowed | cap | result |\n");
            md.append("|---|---|---|---:|---:|---:|---:|---:|---|\n");
            for (Planned c : cases) {
                Optional<CaseResult> r = result(part, c.name());
                if (r.isEmpty()) {
                    md.append("| ").append(c.name()).append(" | | | | | | | | NOT RUN |\n");
                    continue;
                }
                for (DeviceMeasure d : r.get().devices()) {
                    boolean ok = d.predictionHolds() && d.capHolds();
                    md.append("| ").append(c.name()).append(" | ").append(d.device()).append(" | ").append(d.layers())
                            .append(" | ").append(d.predictedBytes() < 0 ? "–" : Mib.of(d.predictedBytes()))
                            .append(" | ").append(Mib.of(d.measuredBytes()))
                            .append(" | ").append(d.predictedBytes() < 0 ? "–" : Mib.signed(d.predictedBytes() - d.measuredBytes())
                                    + String.format(Locale.ROOT, " (%+.2f%%)", d.measuredBytes() == 0 ? 0.0
                                    : 100.0 * (d.predictedBytes() - d.measuredBytes()) / d.measuredBytes()))
                            .append(" | ").append(d.predictedBytes() < 0 ? "–" : Mib.of(Tolerance.allowedBytes(d.measuredBytes())))
                            .append(" | ").append(d.capBytes() < 0 ? "–" : Mib.of(d.capBytes()))
                            .append(" | ").append(ok ? "pass" : "FAIL").append(" |\n");
                }
            }
            md.append('\n');
        }
        for (Planned c : cases) {
            Optional<CaseResult> r = result(part, c.name());
            md.append("## ").append(c.name()).append(": ").append(r.map(CaseResult::title).orElse(c.title()))
                    .append(" — ").append(status(part, c.name()));
            r.ifPresent(x -> md.append(String.format(Locale.ROOT, " (%.1f s)", x.seconds())));
            md.append("\n\n");
            if (r.isEmpty()) {
                md.append("No result: the case did not run (time ran out before it, or its JVM ended without one; see gpu-run.log).\n\n");
                continue;
            }
            for (DeviceMeasure d : r.get().devices()) {
                if (!d.breakdown().isEmpty()) {
                    md.append("- ").append(d.device()).append(", llama.cpp's breakdown: ").append(d.breakdown()).append('\n');
                }
            }
            r.get().notes().forEach(n -> md.append(n.startsWith("|") ? n : "- " + n).append('\n'));
            r.get().problems().forEach(p -> md.append("- **FAILED**: ").append(p).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    /** The summary: one line per case, then the verdict. */
    public String summary() {
        StringBuilder md = new StringBuilder("# GPU proof: summary\n\n");
        header.forEach(h -> md.append(h).append("  \n"));
        md.append("\n| part | case | result | seconds |\n|---|---|---|---:|\n");
        for (String part : parts()) {
            for (Planned c : casesOf(part)) {
                Optional<CaseResult> r = result(part, c.name());
                md.append("| ").append(part).append(" | ").append(c.name()).append(" | ").append(status(part, c.name()))
                        .append(" | ").append(r.map(x -> String.format(Locale.ROOT, "%.1f", x.seconds())).orElse("–"))
                        .append(" |\n");
            }
        }
        md.append("\nVerdict: **").append(verdict()).append("**\n");
        return md.toString();
    }

    /** Writes {@code summary.md} and one {@code <part>.md} per part into {@code dir}; returns the files. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (String part : parts()) {
            Path f = dir.resolve(part + ".md");
            Files.writeString(f, part(part), StandardCharsets.UTF_8);
            files.add(f);
        }
        Path s = dir.resolve("summary.md");
        Files.writeString(s, summary(), StandardCharsets.UTF_8);
        files.add(s);
        return files;
    }

    /** Reads PLANNED.tsv: {@code part<TAB>name<TAB>title} per line. */
    public static List<Planned> readPlanned(Path tsv) throws IOException {
        List<Planned> planned = new ArrayList<>();
        if (!Files.exists(tsv)) {
            return planned;
        }
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f.length < 2) {
                throw new IllegalArgumentException(tsv + ": '" + line + "' is not part<TAB>name<TAB>title");
            }
            planned.add(new Planned(f[0], f[1], f.length > 2 ? f[2] : ""));
        }
        return planned;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ProofReport RESULTS.jsonl PLANNED.tsv OUT_DIR [header line ...]");
            System.exit(64);
        }
        List<String> header = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
        ProofReport report = new ProofReport(readPlanned(Path.of(args[1])), new ResultLog(Path.of(args[0])).read(), header);
        report.write(Path.of(args[2]));
        System.out.print(report.summary());
        System.exit(switch (report.verdict()) {
            case PASSED -> 0;
            case FAILED -> 1;
            case INCOMPLETE -> 2;
        });
    }
}
