package dev.strata.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
    @Test
    void releasesTextThatCannotStartAStopString() {
        StopMatcher m = new StopMatcher(List.of("END"));
        assertThat(m.append("hello ")).isEqualTo("hello ");
        assertThat(m.append("wor")).isEqualTo("wor");
        assertThat(m.stopped()).isFalse();
    }

    @Test
    void holdsBackAPossibleStartAndReleasesItWhenItDiverges() {
        StopMatcher m = new StopMatcher(List.of("END"));
        assertThat(m.append("the E")).isEqualTo("the ");
        assertThat(m.append("N")).isEmpty();
        assertThat(m.append("D? no, ENd")).isEmpty();
        assertThat(m.stopped()).isTrue();
    }

    @Test
    void aStopStringSplitOverPiecesEndsTheTextBeforeIt() {
        StopMatcher m = new StopMatcher(List.of("\n\n"));
        StringBuilder out = new StringBuilder();
        for (String piece : List.of("one", "\n", "\ntwo")) {
            out.append(m.append(piece));
        }
        assertThat(out).hasToString("one");
        assertThat(m.stopped()).isTrue();
        assertThat(m.append("more")).isEmpty();
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopMatcher m = new StopMatcher(List.of("cat", "a c"));
        assertThat(m.append("a cat")).isEqualTo("");
        assertThat(m.stopped()).isTrue();
    }

    @Test
    void heldBackTextComesOutAtTheEnd() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertThat(m.append("go ST")).isEqualTo("go ");
        assertThat(m.flush()).isEqualTo("ST");
    }

    @Test
    void noStopStringsPassesEverything() {
        StopMatcher m = new StopMatcher(List.of());
        assertThat(m.append("abc")).isEqualTo("abc");
        assertThat(m.flush()).isEmpty();
    }
}
