package dev.strata.models.bench;

import dev.strata.runtime.StepTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The comparison table: per test, llama.cpp's tokens/s, Strata's, their ratio and the ratio required. */
final class BenchReport {
    /**
     * @param test     what was measured, in the requirement's words
     * @param llamaCpp median tokens/s of llama.cpp's tool
     * @param strata   Strata's tokens/s; empty when it could not be measured on this branch
     * @param required the least ratio Strata / llama.cpp that passes
     */
    record Row(String test, double llamaCpp, Optional<StrataBench.Measure> strata, double required) {
        Optional<Double> ratio() {
            return strata.map(m -> m.median() / llamaCpp);
        }

        String verdict() {
            return ratio().map(r -> r >= required ? "pass" : "FAIL").orElse("not measured");
        }
    }

    private final List<String> header = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private final List<String> sections = new ArrayList<>();

    void header(String line) {
        header.add(line);
    }

    void row(Row row) {
        rows.add(row);
    }

    void command(String line) {
        commands.add(line);
    }

    /** Markdown printed after the step table. */
    void section(String markdown) {
        sections.add(markdown);
    }

    boolean allPass() {
        return rows.stream().allMatch(r -> r.verdict().equals("pass"));
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        header.forEach(h -> b.append(h).append('\n'));
        b.append('\n');
        b.append("| test | llama.cpp (t/s) | Strata (t/s) | Strata / llama.cpp | required | result |\n");
        b.append("|---|---:|---:|---:|---:|---|\n");
        List<String> notes = new ArrayList<>();
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s | ≥ %.2f | %s |%n", r.test(), r.llamaCpp(),
                    r.strata().map(m -> String.format(Locale.ROOT, "%.2f", m.median())).orElse("—"),
                    r.ratio().map(x -> String.format(Locale.ROOT, "%.3f", x)).orElse("—"), r.required(), r.verdict()));
            r.strata().filter(m -> !m.note().isEmpty()).ifPresent(m -> notes.add(r.test() + ": " + m.note()));
        }
        if (!notes.isEmpty()) {
            b.append('\n');
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        b.append('\n').append("Strata samples (t/s): ");
        b.append(String.join("; ", rows.stream().map(r -> r.test() + ": " + r.strata()
                .map(m -> m.samples().stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList().toString())
                .orElse("—")).toList()));
        b.append("\n\nStrata's decode loop, per step, over the timed runs (decode: inside llama_decode; sampling: the"
                + " sampler calls, the first of which waits for the device; host: everything else, while the device waits):\n\n");
        b.append("| test | steps per run | tokens per step | decode (µs) | sampling (µs) | host (µs) | graphs reused | generation-only steps per run | per generation-only step (ms) | per run: streams' wait for a first step (ms) | last token to results (ms) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            r.strata().ifPresent(m -> {
                StepTiming t = m.steps();
                double n = Math.max(1, t.steps());
                double runs = Math.max(1, m.samples().size());
                b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.0f | %.0f | %.0f | %d of %d | %.1f | %.2f | %.2f | %.2f |%n",
                        r.test(), t.steps() / runs, t.tokens() / n, t.decodeNanos() / n / 1e3, t.sampleNanos() / n / 1e3,
                        t.otherNanos() / n / 1e3, t.graphsReused(), t.steps(), t.generationSteps() / runs,
                        t.generationNanosPerStep() / 1e6, m.waitMillis(), m.tailMillis()));
            });
        }
        sections.forEach(m -> b.append('\n').append(m));
        b.append("\nllama.cpp, as run:\n\n```\n");
        commands.forEach(c -> b.append(c).append('\n'));
        b.append("```\n");
        return b.toString();
    }
}
