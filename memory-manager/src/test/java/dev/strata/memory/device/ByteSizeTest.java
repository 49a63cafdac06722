package dev.strata.memory.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizeTest {

    @ParameterizedTest(name = "\"{0}\" is {1} bytes")
    @CsvSource(delimiter = '|', value = {
        "24GiB          | 25769803776",
        "23.5 GiB       | 25232932864",
        "512MiB         | 536870912",
        "1G             | 1073741824",
        "1g             | 1073741824",
        "1gib           | 1073741824",
        "1 GIB          | 1073741824",
        "'  2 GiB  '    | 2147483648",
        "1T             | 1099511627776",
        "1.5TiB         | 1649267441664",
        "64K            | 65536",
        "64KiB          | 65536",
        "3M             | 3145728",
        "1073741824     | 1073741824",
        "1024B          | 1024",
        "0              | 0",
        "0GiB           | 0",
        "0.1GiB         | 107374182",   // 107374182.4: fractions round down to a whole byte
        "0.5K           | 512",
        "8388607TiB     | 9223370937343148032",
        "9223372036854775807 | 9223372036854775807",
    })
    void parsesBinaryUnits(String text, long bytes) {
        assertThat(ByteSize.parse(text).bytes()).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "\"{0}\" is refused: {1}")
    @CsvSource(delimiter = '|', value = {
        "''                     | expected a number and a unit",
        "GiB                    | expected a number and a unit",
        "-1GiB                  | expected a number and a unit",
        "+1GiB                  | expected a number and a unit",
        "1,5GiB                 | expected a number and a unit",
        "1.GiB                  | expected a number and a unit",
        ".5GiB                  | expected a number and a unit",
        "1e9                    | expected a number and a unit",
        "24 G iB                | expected a number and a unit",
        "24GB                   | \"GB\" is ambiguous (1000 or 1024?); write GiB (powers of 1024) or G",
        "24gb                   | \"gb\" is ambiguous",
        "512MB                  | write MiB",
        "1KB                    | write KiB",
        "2TB                    | write TiB",
        "24Gi                   | unknown unit \"Gi\"",
        "24 bytes               | unknown unit \"bytes\"",
        "1.5                    | a fraction of a byte",
        "1.5B                   | a fraction of a byte",
        "8EiB                   | unknown unit \"EiB\"",
        "8388608TiB             | more than 9223372036854775807 bytes",
        "9223372036854775808    | more than 9223372036854775807 bytes",
        "99999999999999999999999999G | more than",
    })
    void refusesWithTheReason(String text, String reason) {
        assertThatThrownBy(() -> ByteSize.parse(text))
                .isInstanceOf(ByteSizeFormatException.class)
                .hasMessageStartingWith("\"" + text + "\": ")
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((ByteSizeFormatException) e).text()).isEqualTo(text));
    }

    @ParameterizedTest(name = "{0} bytes print as \"{1}\"")
    @CsvSource(delimiter = '|', value = {
        "0                    | 0 B",
        "1023                 | 1023 B",
        "1024                 | 1 KiB",
        "1536                 | 1.5 KiB",
        "536870912            | 512 MiB",
        "1073741823           | 1.0 GiB",     // one byte short: rounds into the next unit, ".0" says "about"
        "1073741824           | 1 GiB",
        "25769803776          | 24 GiB",
        "25232932864          | 23.5 GiB",
        "10093173145          | 9.4 GiB",
        "4402341478           | 4.1 GiB",
        "1099511627776        | 1 TiB",
        "9223372036854775807  | 8.0 EiB",
        "-2147483648          | -2 GiB",
        "-9223372036854775808 | -8 EiB",
    })
    void formatsForPeople(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }

    @Test
    void wholeUnitsRoundTrip() {
        for (long bytes : new long[] {0, 1, 1023, 1024, 3 * ByteSize.MIB, 24 * ByteSize.GIB, 47 * ByteSize.GIB / 2,
                ByteSize.TIB, 5 * ByteSize.TIB + 512 * ByteSize.GIB}) {
            ByteSize size = ByteSize.ofBytes(bytes);
            assertThat(ByteSize.parse(size.toString())).as("%s", size).isEqualTo(size);
        }
    }

    @Test
    void factoriesAndOrder() {
        assertThat(ByteSize.ofGiB(24)).isEqualTo(ByteSize.parse("24GiB"));
        assertThat(ByteSize.ofMiB(512)).isEqualTo(ByteSize.parse("0.5G"));
        assertThat(ByteSize.ofMiB(1)).isLessThan(ByteSize.ofGiB(1));
        assertThatThrownBy(() -> ByteSize.ofBytes(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> ByteSize.ofGiB(1L << 40)).isInstanceOf(ArithmeticException.class);
    }
}
