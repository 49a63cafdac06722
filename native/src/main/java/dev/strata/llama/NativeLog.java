package dev.strata.llama;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * Receives llama.cpp's and ggml's log lines from the bridge (whole lines, any thread) and hands
 * them to the platform logger {@code dev.strata.llama.native}. llama.cpp's INFO is chatty during a
 * load (every metadata key), so it maps to DEBUG; warnings and errors keep their level.
 */
final class NativeLog {
    private static final System.Logger LOG = System.getLogger("dev.strata.llama.native");

    private NativeLog() {}

    /** Called from native code only; never throws. */
    static void log(int ggmlLevel, byte[] utf8) {
        Level level = switch (ggmlLevel) {
            case 4 -> Level.ERROR;   // GGML_LOG_LEVEL_ERROR
            case 3 -> Level.WARNING; // GGML_LOG_LEVEL_WARN
            case 2 -> Level.DEBUG;   // GGML_LOG_LEVEL_INFO
            default -> Level.TRACE;  // DEBUG, NONE, CONT
        };
        if (LOG.isLoggable(level)) {
            LOG.log(level, new String(utf8, StandardCharsets.UTF_8));
        }
    }
}
