package dev.strata.http.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key logic: which keys are accepted, where they come from, and that length cannot leak. */
class ApiKeysTest {
    private final ApiKeys keys = ApiKeys.of(List.of("sk-alpha-123", "sk-beta-456"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "sk-alpha-123, true",
            "sk-beta-456, true",
            "sk-alpha-12, false",    // a prefix
            "sk-alpha-1234, false",  // one more character
            "sk-alpha-124, false",   // last character differs
            "SK-ALPHA-123, false",   // keys are case-sensitive
            "x, false"
    })
    void acceptsExactlyTheKeys(String presented, boolean accepted) {
        assertThat(keys.accepts(presented)).isEqualTo(accepted);
    }

    @Test
    void nullAndEmptyAreNeverAccepted() {
        assertThat(keys.accepts(null)).isFalse();
        assertThat(keys.accepts("")).isFalse();
        assertThat(ApiKeys.none().accepts("anything")).isFalse();
        assertThat(ApiKeys.none().isEmpty()).isTrue();
    }

    @Test
    void everyKeyIsComparedAsADigestOfOneLength() {
        // what isEqual compares is 32 bytes whatever the key, so its time cannot depend on the key's length
        assertThat(ApiKeys.digest("a")).hasSize(32);
        assertThat(ApiKeys.digest("a".repeat(10_000))).hasSize(32);
        assertThat(ApiKeys.digest("sk-alpha-123")).isEqualTo(ApiKeys.digest("sk-alpha-123"))
                .isNotEqualTo(ApiKeys.digest("sk-alpha-124"));
    }

    @Test
    void keysComeFromTheOptionTheFileAndTheEnvironmentTogether(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys.txt"), "# team keys\nsk-file-1\n\n   sk-file-2  \n#sk-commented\n");
        ApiKeys all = ApiKeys.from(List.of("sk-option"), file, Map.of(ApiKeys.ENVIRONMENT_VARIABLE, "sk-env-1, sk-env-2"));
        assertThat(all.size()).isEqualTo(5);
        for (String k : List.of("sk-option", "sk-file-1", "sk-file-2", "sk-env-1", "sk-env-2")) {
            assertThat(all.accepts(k)).as(k).isTrue();
        }
        assertThat(all.accepts("sk-commented")).isFalse();
        assertThat(all.accepts("# team keys")).isFalse();
        assertThat(all.toString()).doesNotContain("sk-");
    }

    @Test
    void noSourceMeansAnOpenServer() {
        assertThat(ApiKeys.from(List.of(), null, Map.of()).isEmpty()).isTrue();
        assertThat(ApiKeys.from(List.of(), null, Map.of(ApiKeys.ENVIRONMENT_VARIABLE, "  ")).isEmpty()).isTrue();
    }

    @Test
    void badKeysAreRefusedSayingWhereTheyCameFrom(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys.txt"), "sk-ok\nsk with space\n");
        assertThatThrownBy(() -> ApiKeys.from(List.of(), file, Map.of())).isInstanceOf(ApiKeyException.class)
                .hasMessageContaining("keys.txt line 2").hasMessageContaining("whitespace");
        assertThatThrownBy(() -> ApiKeys.from(List.of(), dir.resolve("missing.txt"), Map.of()))
                .isInstanceOf(ApiKeyException.class).hasMessageContaining("cannot read the API key file");
        assertThatThrownBy(() -> ApiKeys.of(List.of(" "))).isInstanceOf(ApiKeyException.class)
                .hasMessageContaining("empty API key");
        assertThatThrownBy(() -> ApiKeys.from(List.of(), null, Map.of(ApiKeys.ENVIRONMENT_VARIABLE, "sk-a,,sk-b")))
                .isInstanceOf(ApiKeyException.class).hasMessageContaining(ApiKeys.ENVIRONMENT_VARIABLE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Bearer sk-1|sk-1",
            "bearer sk-1|sk-1",
            "BEARER   sk-1  |sk-1",
            "Basic c2stMQ==|",
            "sk-1|"
    })
    void theTokenIsWhatFollowsBearer(String header, String token) {
        assertThat(ApiKeyAuth.bearerToken(header)).isEqualTo(token);
    }
}
