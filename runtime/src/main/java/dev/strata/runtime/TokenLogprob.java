package dev.strata.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One token with its log-probability: the chosen token of a step, or one of the alternatives.
 * The bytes are the token's piece as the tokenizer stores it (special tokens written out), which
 * can be part of a UTF-8 character; OpenAI's {@code bytes} field is these bytes as integers 0–255.
 *
 * <pre>{@code
 * TokenLogprob t = token.logprobs().orElseThrow().chosen();
 * System.out.printf("%s %.3f%n", t.text(), Math.exp(t.logprob()));
 * }</pre>
 *
 * @param id      token id
 * @param bytes   the token's piece, raw UTF-8 bytes
 * @param logprob natural log of its probability under the softmax of the raw logits (≤ 0)
 */
public record TokenLogprob(int id, byte[] bytes, float logprob) {
    public TokenLogprob {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The piece as text; bytes of an incomplete UTF-8 character become U+FFFD. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The bytes as unsigned values 0–255, as OpenAI's {@code bytes} field lists them. */
    public int[] unsignedBytes() {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xff;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenLogprob t && id == t.id && Float.compare(logprob, t.logprob) == 0 && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id + Float.hashCode(logprob)) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "TokenLogprob[id=" + id + ", text=" + text() + ", logprob=" + logprob + "]";
    }
}
