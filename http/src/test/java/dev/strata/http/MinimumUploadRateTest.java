package dev.strata.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MinimumUploadRateTest {
    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "{0} bytes after {1} ms at 1024 B/s minimum -> too slow: {2}")
    @CsvSource({
            "0,     999,   false",  // the first second is grace, whatever arrived
            "1,     1000,  false",
            "0,     1500,  true",   // half a second owed, nothing delivered
            "511,   1500,  true",
            "512,   1500,  false",
            "1024,  2000,  false",
            "1023,  2000,  true",
            "100,   60000, true",   // a byte every 600 ms: the trickle this filter exists for
            "65536, 10000, false"})
    void aBodyMustKeepUpWithTheRateAfterAOneSecondGrace(long bytes, long elapsedMs, boolean tooSlow) {
        assertThat(new MinimumUploadRate(1024, System::nanoTime).tooSlow(bytes, elapsedMs * MS)).isEqualTo(tooSlow);
    }
}
