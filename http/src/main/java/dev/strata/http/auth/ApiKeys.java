package dev.strata.http.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The API keys a server accepts, kept only as SHA-256 digests and compared in constant time.
 *
 * <p>Every key, the presented one included, is hashed to 32 bytes before comparison, and the presented
 * digest is compared with every accepted one with {@link MessageDigest#isEqual} (which does not stop at
 * the first difference) without stopping at the first match; so the time taken says nothing about how
 * long a key is, how much of it was right, or which key matched.
 *
 * <pre>{@code
 * ApiKeys keys = ApiKeys.from(List.of("sk-local-1"), Path.of("keys.txt"), System.getenv());
 * keys.accepts("sk-local-1");   // true
 * keys.accepts("sk-local");     // false
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class ApiKeys {
    /** The environment variable read for keys: one key, or several separated by commas. */
    public static final String ENVIRONMENT_VARIABLE = "STRATA_API_KEY";

    private static final ApiKeys NONE = new ApiKeys(List.of());

    private final List<byte[]> digests;

    private ApiKeys(List<byte[]> digests) {
        this.digests = List.copyOf(digests);
    }

    /** No keys: the server is open. */
    public static ApiKeys none() {
        return NONE;
    }

    /**
     * These keys.
     *
     * @throws ApiKeyException for a blank key or one with whitespace or control characters inside
     */
    public static ApiKeys of(Collection<String> keys) {
        List<byte[]> digests = new ArrayList<>();
        for (String key : keys) {
            digests.add(digest(checked(key, "--api-key")));
        }
        return new ApiKeys(digests);
    }

    /**
     * The keys from all three sources together: {@code given} (repeatable {@code --api-key}), the lines
     * of {@code keyFile} (one key per line; blank lines and lines starting with {@code #} are skipped;
     * null for none) and {@value #ENVIRONMENT_VARIABLE} in {@code environment} (comma-separated).
     *
     * @throws ApiKeyException when the file cannot be read or a key is malformed, naming where it came from
     */
    public static ApiKeys from(Collection<String> given, Path keyFile, Map<String, String> environment) {
        List<byte[]> digests = new ArrayList<>();
        for (String key : given) {
            digests.add(digest(checked(key, "--api-key")));
        }
        if (keyFile != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(keyFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ApiKeyException("cannot read the API key file " + keyFile + ": " + e.getMessage()
                        + "; give a readable file with one key per line", e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    digests.add(digest(checked(line, keyFile + " line " + (i + 1))));
                }
            }
        }
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            for (String key : fromEnvironment.split(",", -1)) {
                digests.add(digest(checked(key.strip(), ENVIRONMENT_VARIABLE)));
            }
        }
        return new ApiKeys(digests);
    }

    /** Whether no key is set (then every request is accepted). */
    public boolean isEmpty() {
        return digests.isEmpty();
    }

    /** How many keys are accepted. */
    public int size() {
        return digests.size();
    }

    /**
     * Whether {@code presented} is one of the keys, in time that depends only on how many keys there
     * are. Null is never accepted.
     */
    public boolean accepts(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] candidate = digest(presented);
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, candidate); // no early exit: every key is compared
        }
        return match;
    }

    /** SHA-256 of the key's UTF-8 bytes: 32 bytes whatever the key's length. */
    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String checked(String key, String source) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new ApiKeyException("an empty API key from " + source + ": give a non-empty key");
        }
        if (key.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new ApiKeyException("the API key from " + source
                    + " contains whitespace or a control character; a key is one word, sent as 'Authorization: Bearer KEY'");
        }
        return key;
    }

    @Override
    public String toString() {
        return "ApiKeys[" + digests.size() + " keys]"; // never the keys
    }
}
