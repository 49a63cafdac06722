package dev.strata.cli;

import dev.strata.runtime.LoadProgress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Function;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A model load's progress on the console: a progress bar (me.tongfei:progressbar) on {@code stream}
 * when the command runs on a terminal, otherwise log lines at 25% steps (INFO, so {@code run} shows
 * them only with {@code --verbose}, and a server's log gets them).
 *
 * <pre>{@code
 * try (LoadProgress progress = LoadProgressBar.start("stories260K.gguf", System.err)) {
 *     model = engine.load(path, options, progress);
 * }
 * engine.registry().watchLoads(LoadProgressBar.forConsole(System.err));   // serve: a bar per load
 * }</pre>
 */
public final class LoadProgressBar {
    private static final System.Logger LOG = System.getLogger(LoadProgressBar.class.getName());

    private LoadProgressBar() {}

    /** A watcher for {@link dev.strata.runtime.ModelRegistry#watchLoads}: one progress per load, as {@link #start}. */
    public static Function<String, LoadProgress> forConsole(PrintStream stream) {
        return name -> start(name, stream);
    }

    /** The progress of loading {@code name}: a bar on {@code stream} on a terminal, log lines otherwise. */
    public static LoadProgress start(String name, PrintStream stream) {
        return System.console() != null ? new Bar(name, stream) : new LogLines(name);
    }

    /** Percent done, 0 to 100, from llama.cpp's fraction. */
    static int percent(float fraction) {
        return Math.max(0, Math.min(100, Math.round(fraction * 100)));
    }

    private static final class Bar implements LoadProgress {
        private final ProgressBar bar;

        Bar(String name, PrintStream stream) {
            bar = new ProgressBarBuilder().setTaskName("loading " + name).setInitialMax(100).setUnit("%", 1)
                    .setStyle(ProgressBarStyle.ASCII).hideEta().setUpdateIntervalMillis(100)
                    .setConsumer(new ConsoleProgressBarConsumer(stream)).build();
        }

        @Override
        public boolean onProgress(float fraction) {
            bar.stepTo(percent(fraction));
            return true;
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class LogLines implements LoadProgress {
        private final String name;
        private final long started = System.nanoTime();
        private int lastLogged = -1;
        private int last;

        LogLines(String name) {
            this.name = name;
            LOG.log(System.Logger.Level.INFO, () -> "loading " + name);
        }

        @Override
        public synchronized boolean onProgress(float fraction) {
            last = percent(fraction);
            int step = last / 25 * 25;
            if (step > lastLogged && step > 0) {
                lastLogged = step;
                LOG.log(System.Logger.Level.INFO, () -> "loading " + name + ": " + step + "%");
            }
            return true;
        }

        @Override
        public synchronized void close() {
            double seconds = (System.nanoTime() - started) / 1e9;
            String line = last >= 100 ? String.format(Locale.ROOT, "read %s in %.1f s", name, seconds)
                    : String.format(Locale.ROOT, "loading %s stopped at %d%% after %.1f s", name, last, seconds);
            LOG.log(System.Logger.Level.INFO, line);
        }
    }
}
