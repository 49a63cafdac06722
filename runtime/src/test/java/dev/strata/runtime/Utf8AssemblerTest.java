package dev.strata.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Utf8AssemblerTest {
    private static final String TEXT = "héllo 世界 🙂 end";

    @Test
    void anySplitOfTheBytesGivesBackTheText() {
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        for (int a = 0; a <= bytes.length; a++) {
            for (int b = a; b <= bytes.length; b++) {
                Utf8Assembler u = new Utf8Assembler();
                String out = u.append(Arrays.copyOfRange(bytes, 0, a)) + u.append(Arrays.copyOfRange(bytes, a, b))
                        + u.append(Arrays.copyOfRange(bytes, b, bytes.length)) + u.finish();
                assertThat(out).as("split at %d and %d", a, b).isEqualTo(TEXT);
            }
        }
    }

    @Test
    void aPartialCharacterIsHeldBackUntilItCompletes() {
        byte[] smiley = "🙂".getBytes(StandardCharsets.UTF_8);
        Utf8Assembler u = new Utf8Assembler();
        assertThat(u.append(Arrays.copyOfRange(smiley, 0, 2))).isEmpty();
        assertThat(u.append(Arrays.copyOfRange(smiley, 2, 4))).isEqualTo("🙂");
    }

    @Test
    void anUnfinishedCharacterAtTheEndBecomesAReplacementCharacter() {
        Utf8Assembler u = new Utf8Assembler();
        assertThat(u.append(new byte[] {'a', (byte) 0xE4})).isEqualTo("a");
        assertThat(u.finish()).isEqualTo("\uFFFD");
    }
}
