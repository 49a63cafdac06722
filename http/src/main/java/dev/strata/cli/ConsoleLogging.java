package dev.strata.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Command-line logging: one short line per record on stderr; llama.cpp's own warnings only with
 * {@code --verbose}, since they are about the model file, not about what the user asked.
 */
final class ConsoleLogging {
    // Held strongly: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger NATIVE = Logger.getLogger("dev.strata.llama.native");

    private ConsoleLogging() {}

    static void configure(boolean verbose) {
        for (var h : ROOT.getHandlers()) {
            ROOT.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String source = r.getLoggerName().equals(NATIVE.getName()) ? "llama.cpp" : "strata";
                return source + " " + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": "
                        + formatMessage(r) + System.lineSeparator();
            }
        });
        ROOT.addHandler(handler);
        ROOT.setLevel(verbose ? Level.FINE : Level.WARNING);
        NATIVE.setLevel(verbose ? Level.FINE : Level.SEVERE);
    }
}
