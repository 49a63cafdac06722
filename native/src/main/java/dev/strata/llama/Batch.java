package dev.strata.llama;

import java.util.Arrays;

/**
 * Tokens to decode in one step, each with its position, sequence and whether its logits (or
 * embedding) are wanted. Plain Java arrays; the bridge copies them into a native batch that the
 * context reuses, so building a batch allocates nothing native. Reusable through {@link #clear()}.
 *
 * <pre>{@code
 * Batch batch = new Batch(512);
 * int[] prompt = model.tokenize("Once upon a time", true, false);
 * for (int i = 0; i < prompt.length; i++) {
 *     batch.add(prompt[i], i, 0, i == prompt.length - 1);
 * }
 * context.decode(batch);
 * }</pre>
 */
public final class Batch {
    final int[] tokens;
    final int[] positions;
    final int[] sequences;
    final byte[] outputs;
    private int size;

    public Batch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be >= 1, not " + capacity);
        }
        tokens = new int[capacity];
        positions = new int[capacity];
        sequences = new int[capacity];
        outputs = new byte[capacity];
    }

    /** Appends a token; returns its index in the batch (the index logits are read by). */
    public int add(int token, int position, int sequence, boolean output) {
        if (size == tokens.length) {
            throw new IllegalStateException("batch is full (" + size + " tokens)");
        }
        tokens[size] = token;
        positions[size] = position;
        sequences[size] = sequence;
        outputs[size] = (byte) (output ? 1 : 0);
        return size++;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return tokens.length;
    }

    public void clear() {
        size = 0;
    }

    @Override
    public String toString() {
        return "Batch[" + size + " tokens: " + Arrays.toString(Arrays.copyOf(tokens, Math.min(size, 8)))
                + (size > 8 ? "...]" : "]");
    }
}
