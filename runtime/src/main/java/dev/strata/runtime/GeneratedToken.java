package dev.strata.runtime;

/**
 * One generated token.
 *
 * @param id   token id
 * @param text the text it completes; empty while a multi-byte UTF-8 character is still partial
 */
public record GeneratedToken(int id, String text) {}
