package dev.strata.runtime;

import java.util.List;

/**
 * Finds a request's stop strings in generated text as it arrives, piece by piece. Text that could
 * still become the start of a stop string is held back, so a streaming reader never sees part of a
 * stop string that later completes.
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /**
     * Adds a piece; returns the text now safe to release. After a stop string is found, returns the
     * text before it and {@link #stopped()} turns true; later pieces are ignored.
     */
    String append(String piece) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return piece;
        }
        pending.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int hold = heldBack();
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** The held-back text, at the end of the generation when no stop string completed. */
    String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    /** Length of the longest end of the pending text that begins some stop string. */
    private int heldBack() {
        int best = 0;
        String text = pending.toString();
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length()); k > best; k--) {
                if (text.regionMatches(text.length() - k, s, 0, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
