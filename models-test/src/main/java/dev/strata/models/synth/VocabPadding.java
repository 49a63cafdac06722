package dev.strata.models.synth;

import dev.strata.memory.gguf.GgufArray;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a borrowed tokenizer into a model, padded to the model's token count the way
 * convert_hf_to_gguf pads a vocabulary to config.json's vocab_size (get_vocab_base,
 * _create_vocab_sentencepiece): extra tokens {@code [PAD<id>]} of type UNUSED, score -10000. So a
 * model whose embedding has more rows than the borrowed tokenizer has tokens (Qwen2.5's 152064 over
 * 151936, gpt-oss's 201088 over GPT-2's 50257) gets its real {@code token_embd} and {@code output}
 * sizes, and llama.cpp, which sizes both by the token count, loads it.
 */
final class VocabPadding {
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String TOKEN_TYPES = "tokenizer.ggml.token_type";
    /** LLAMA_TOKEN_TYPE_UNUSED (gguf.TokenType.UNUSED). */
    static final int TYPE_UNUSED = 5;
    static final float PAD_SCORE = -10000f;

    private VocabPadding() {}

    /** The number of tokens in {@code vocab}. */
    static int tokenCount(GgufFile vocab) {
        return vocab.findArray(TOKENS)
                .orElseThrow(() -> new IllegalArgumentException("vocab file has no " + TOKENS))
                .size();
    }

    /**
     * Puts every {@code tokenizer.*} key of {@code vocab} into {@code w}, with the per-token arrays
     * padded to {@code tokens}.
     *
     * @throws IllegalArgumentException if the vocabulary has more than {@code tokens} tokens:
     *                                  removing tokens would break its merges and special ids
     */
    static void copy(GgufFile vocab, int tokens, GgufWriter w) {
        int have = tokenCount(vocab);
        if (have > tokens) {
            throw new IllegalArgumentException("the borrowed vocabulary has " + have + " tokens, more than the model's "
                    + tokens + "; a vocabulary can be padded, not cut: give the model " + have + " tokens");
        }
        vocab.metadata().forEach((key, value) -> {
            if (!key.startsWith("tokenizer.")) {
                return;
            }
            if (have == tokens || !(key.equals(TOKENS) || key.equals(SCORES) || key.equals(TOKEN_TYPES))) {
                w.put(key, value);
                return;
            }
            GgufArray a = (GgufArray) value;
            List<GgufValue> padded = new ArrayList<>(tokens);
            for (int i = 0; i < a.size(); i++) {
                padded.add(a.get(i));
            }
            for (int id = have; id < tokens; id++) {
                padded.add(switch (key) {
                    case TOKENS -> new GgufValue.StringValue("[PAD" + id + "]");
                    case SCORES -> new GgufValue.FloatValue(a.elementType(), PAD_SCORE);
                    default -> new GgufValue.IntValue(a.elementType(), TYPE_UNUSED);
                });
            }
            w.putArray(key, a.elementType(), padded);
        });
    }
}
