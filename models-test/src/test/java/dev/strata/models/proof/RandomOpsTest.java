package dev.strata.models.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.models.proof.RandomOps.Kind;
import dev.strata.models.proof.RandomOps.Op;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The random operation sequence of the pressure proof. */
class RandomOpsTest {
    private static final List<String> MODELS = List.of("phi", "mistral", "llama");

    @Test
    void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        assertThat(RandomOps.generate(MODELS, 100, 7)).isEqualTo(RandomOps.generate(MODELS, 100, 7));
        assertThat(RandomOps.generate(MODELS, 100, 7)).isNotEqualTo(RandomOps.generate(MODELS, 100, 8));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261124L})
    void everyModelGetsEveryKindAndTheMixIsMostlyGenerations(long seed) {
        List<Op> ops = RandomOps.generate(MODELS, 100, seed);
        assertThat(ops).hasSize(100);
        assertThat(ops).extracting(Op::index).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100).boxed().toList());
        for (String m : MODELS) {
            Set<Kind> kinds = ops.stream().filter(o -> o.model().equals(m)).map(Op::kind).collect(Collectors.toSet());
            assertThat(kinds).as(m).containsExactlyInAnyOrder(Kind.values());
        }
        Map<Kind, Long> counts = ops.stream().collect(Collectors.groupingBy(Op::kind, Collectors.counting()));
        assertThat(counts.get(Kind.GENERATE)).isBetween(30L, 70L);
        assertThat(counts.get(Kind.LOAD)).isBetween(10L, 45L);
        assertThat(counts.get(Kind.UNLOAD)).isBetween(10L, 45L);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 5, 9})
    void unloadsGoOnlyToModelsTheSequenceLoadedAndGenerationsStayInRange(long seed) {
        Set<String> loaded = new HashSet<>();
        for (Op op : RandomOps.generate(MODELS, 300, seed)) {
            switch (op.kind()) {
                case LOAD -> loaded.add(op.model());
                case GENERATE -> {
                    loaded.add(op.model());
                    assertThat(op.promptTokens()).isBetween(1, 64);
                    assertThat(op.maxTokens()).isBetween(1, 8);
                }
                case UNLOAD -> assertThat(loaded.remove(op.model())).as("op %d unloads %s", op.index(), op.model()).isTrue();
            }
        }
    }

    @Test
    void tooFewModelsOrOperationsAreRefused() {
        assertThatThrownBy(() -> RandomOps.generate(List.of(), 100, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one model");
        assertThatThrownBy(() -> RandomOps.generate(MODELS, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
