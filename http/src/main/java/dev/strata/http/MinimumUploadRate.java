package dev.strata.http;

import io.javalin.http.HttpResponseException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Refuses request bodies that arrive slower than a minimum rate, a byte now and then so that the idle
 * timeout never fires (a "slowloris" client holding a thread for as long as it likes). From the first
 * body byte read, a body must have delivered {@code bytesPerSecond} for every second past a one-second
 * grace; one that falls behind gets 408 and its connection closed. Jetty 12's own
 * {@code MinimumDataRateHandler} measures the bytes of all requests together, so one slow client among
 * busy ones would never be caught.
 *
 * <pre>{@code
 * contextHandler.addFilter(new FilterHolder(new MinimumUploadRate(1024, System::nanoTime)), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 */
final class MinimumUploadRate implements Filter {
    private static final long GRACE_NANOS = 1_000_000_000L;

    private final long bytesPerSecond;
    private final LongSupplier nanoClock;

    MinimumUploadRate(long bytesPerSecond, LongSupplier nanoClock) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("the minimum rate must be >= 1 byte/s, not " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
    }

    /** True when {@code bytes} read in {@code elapsedNanos} since the first byte is too slow. */
    boolean tooSlow(long bytes, long elapsedNanos) {
        long owed = elapsedNanos - GRACE_NANOS;
        return owed > 0 && bytes < (double) bytesPerSecond * owed / 1e9;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && request.getContentLengthLong() != 0) {
            chain.doFilter(new Checked(http), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    private final class Checked extends HttpServletRequestWrapper {
        private ServletInputStream checked;

        Checked(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (checked == null) {
                checked = new CheckedStream(super.getInputStream());
            }
            return checked;
        }
    }

    private final class CheckedStream extends ServletInputStream {
        private final ServletInputStream in;
        private long start;
        private long bytes;

        CheckedStream(ServletInputStream in) {
            this.in = in;
        }

        private int counted(int n) {
            long now = nanoClock.getAsLong();
            if (start == 0) {
                start = now == 0 ? 1 : now;
            }
            if (n > 0) {
                bytes += n;
            }
            if (n >= 0 && tooSlow(bytes, now - start)) {
                throw new HttpResponseException(408, "the request body arrived at less than " + bytesPerSecond
                        + " bytes/s (" + bytes + " bytes in " + (now - start) / 1_000_000 + " ms); send it faster",
                        Map.of());
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            counted(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return counted(in.read(buffer, offset, length));
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
