package dev.strata.runtime;

import java.util.Arrays;

/** A growable list of token ids without boxing: a sequence's tokens, or what a KV slot holds. */
final class TokenList {
    private int[] ids;
    private int size;

    TokenList(int capacity) {
        ids = new int[Math.max(8, capacity)];
    }

    static TokenList of(int[] tokens) {
        TokenList l = new TokenList(tokens.length + 16);
        System.arraycopy(tokens, 0, l.ids, 0, tokens.length);
        l.size = tokens.length;
        return l;
    }

    void add(int token) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = token;
    }

    int get(int i) {
        return ids[i];
    }

    int size() {
        return size;
    }

    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    void clear() {
        size = 0;
    }

    /** How many leading tokens this list and {@code other} have in common. */
    int commonPrefix(TokenList other) {
        int n = Math.min(size, other.size);
        int i = Arrays.mismatch(ids, 0, n, other.ids, 0, n);
        return i < 0 ? n : i;
    }
}
