package dev.strata.models.soak;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The soak's verdicts and its markdown report. Verdicts: no request failed; after warm-up, heap used
 * after GC and RSS stay within {@link Soak#FLAT} of their lowest sample; threads and open files do not
 * grow (the lowest sample of the second half of the post-warm-up samples is no higher than the
 * highest of the first half).
 */
final class SoakReport {
    private final Soak.Settings settings;
    private final boolean admin;
    private final Map<String, Soak.Counts> counts;
    private final List<String> failures;
    private final List<ProcessSample> samples;
    private final List<ProcessSample> steady;
    private final Duration ran;

    SoakReport(Soak.Settings settings, boolean admin, Map<String, Soak.Counts> counts, List<String> failures,
               List<ProcessSample> samples, Duration ran) {
        this.settings = settings;
        this.admin = admin;
        this.counts = counts;
        this.failures = failures;
        this.samples = samples;
        // the last sample is taken after the clients stopped: shown, but not part of the verdicts
        this.steady = samples.subList(0, Math.max(0, samples.size() - 1)).stream()
                .filter(s -> s.at().compareTo(settings.warmUp()) >= 0).toList();
        this.ran = ran;
    }

    long failedRequests() {
        return counts.values().stream().mapToLong(c -> c.failed.get()).sum();
    }

    private boolean enoughSamples() {
        return steady.size() >= 4;
    }

    /** (max - min) / min over the steady samples. */
    private double spread(ToLongFunction<ProcessSample> f) {
        long min = steady.stream().mapToLong(f).min().orElse(0);
        long max = steady.stream().mapToLong(f).max().orElse(0);
        return min <= 0 ? Double.NaN : (max - min) / (double) min;
    }

    /** Least-squares slope over the steady samples, per minute, in the sample's unit. */
    private double perMinute(ToLongFunction<ProcessSample> f) {
        int n = steady.size();
        double mx = steady.stream().mapToDouble(s -> s.at().toMillis() / 60_000.0).average().orElse(0);
        double my = steady.stream().mapToLong(f).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (ProcessSample s : steady) {
            double x = s.at().toMillis() / 60_000.0 - mx;
            sxy += x * (f.applyAsLong(s) - my);
            sxx += x * x;
        }
        return n < 2 || sxx == 0 ? 0 : sxy / sxx;
    }

    /**
     * How much the level moves over the steady window by its least-squares trend, as a fraction of the
     * mean level: "flat within 5 %" is a drift of at most 0.05. The spread (max − min) is shown beside it
     * but does not judge: a 10 MiB heap after GC swings by a megabyte with the requests live at that moment.
     */
    private double drift(ToLongFunction<ProcessSample> f) {
        if (steady.size() < 2) {
            return Double.NaN;
        }
        double minutes = (steady.get(steady.size() - 1).at().toMillis() - steady.get(0).at().toMillis()) / 60_000.0;
        double mean = steady.stream().mapToLong(f).average().orElse(0);
        return mean <= 0 ? Double.NaN : perMinute(f) * minutes / mean;
    }

    /**
     * A sustained rise: even the lowest sample of the second half is above the highest of the first
     * (a pool that starts one more thread and stops it again is not growth; a leak is).
     */
    private boolean grows(ToLongFunction<ProcessSample> f) {
        int half = steady.size() / 2;
        long first = steady.subList(0, half).stream().mapToLong(f).max().orElse(0);
        long second = steady.subList(half, steady.size()).stream().mapToLong(f).min().orElse(0);
        return second > first;
    }

    private String verdict(boolean ok) {
        return !enoughSamples() ? "too few samples" : ok ? "PASS" : "FAIL";
    }

    boolean passed() {
        return failedRequests() == 0 && failures.isEmpty() && enoughSamples() && drift(ProcessSample::heapUsedKiB) <= Soak.FLAT
                && drift(ProcessSample::rssKiB) <= Soak.FLAT && !grows(ProcessSample::threads) && !grows(ProcessSample::openFiles);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Strata soak report\n\n");
        b.append(String.format(Locale.ROOT, "Server %s (pid %d), %d clients, ran %d s (asked %d s), warm-up %d s, a sample"
                        + " every %d s. Load/unload: %s.%n%n", settings.url(), settings.pid(), settings.clients(), ran.toSeconds(),
                settings.duration().toSeconds(), settings.warmUp().toSeconds(), settings.sample().toSeconds(),
                admin ? "stories260K-moe4x2 unloaded and loaded again every ~12 s through /admin/models"
                        : "not exercised (no /admin/models route on this server)"));
        b.append("**Overall: ").append(passed() ? "PASS" : "FAIL").append("**\n\n");
        b.append("| check | value | verdict |\n|---|---|---|\n");
        b.append("| failed requests | ").append(failedRequests()).append(" | ").append(failedRequests() == 0 ? "PASS" : "FAIL")
                .append(" |\n");
        b.append(String.format(Locale.ROOT, "| heap used after GC: drift after warm-up (trend; spread) | %+.1f %% (%+.2f MiB/min; %.1f %%) | %s |%n",
                100 * drift(ProcessSample::heapUsedKiB), perMinute(ProcessSample::heapUsedKiB) / 1024,
                100 * spread(ProcessSample::heapUsedKiB), verdict(drift(ProcessSample::heapUsedKiB) <= Soak.FLAT)));
        b.append(String.format(Locale.ROOT, "| RSS: drift after warm-up (trend; spread) | %+.1f %% (%+.2f MiB/min; %.1f %%) | %s |%n",
                100 * drift(ProcessSample::rssKiB), perMinute(ProcessSample::rssKiB) / 1024,
                100 * spread(ProcessSample::rssKiB), verdict(drift(ProcessSample::rssKiB) <= Soak.FLAT)));
        b.append("| threads grow | ").append(enoughSamples() && grows(ProcessSample::threads)).append(" | ")
                .append(verdict(!grows(ProcessSample::threads))).append(" |\n");
        b.append("| open files grow | ").append(enoughSamples() && grows(ProcessSample::openFiles)).append(" | ")
                .append(verdict(!grows(ProcessSample::openFiles))).append(" |\n\n");

        b.append("## Requests\n\n| kind | ok | failed | retried (503 + Retry-After, or a stream cancelled by an unload) | mean ms |\n|---|---:|---:|---:|---:|\n");
        for (String kind : Soak.kindsInOrder(counts)) {
            Soak.Counts c = counts.get(kind);
            long n = c.ok.get() + c.failed.get();
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f |%n", kind, c.ok.get(), c.failed.get(), c.retried.get(),
                    n == 0 ? 0.0 : c.nanos.get() / 1e6 / n));
        }
        b.append(String.format(Locale.ROOT, "%nJVM committed memory (Native Memory Tracking) trend after warm-up: %+.2f MiB/min;"
                + " RSS growth beyond it is native memory outside the JVM (llama.cpp, the bridge, malloc).%n",
                perMinute(ProcessSample::jvmCommittedKiB) / 1024));
        b.append("\n## Server process samples\n\n| at s | heap after GC MiB | RSS MiB | JVM committed MiB | threads | open files | |\n"
                + "|---:|---:|---:|---:|---:|---:|---|\n");
        for (ProcessSample s : samples) {
            b.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %d | %d | %s |%n", s.at().toSeconds(),
                    s.heapUsedKiB() / 1024.0, s.rssKiB() / 1024.0, s.jvmCommittedKiB() / 1024.0, s.threads(), s.openFiles(), s == samples.get(samples.size() - 1) ? "after the load" : s.at().compareTo(settings.warmUp()) < 0 ? "warm-up" : ""));
        }
        if (!failures.isEmpty()) {
            b.append("\n## Failures (first ").append(failures.size()).append(")\n\n");
            failures.forEach(f -> b.append("- ").append(f.replace('\n', ' ')).append('\n'));
        }
        return b.toString();
    }
}
