package dev.strata.runtime;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns token pieces (raw bytes, possibly cutting a UTF-8 character in two) into text, holding back
 * an incomplete character until the bytes that finish it arrive.
 */
final class Utf8Assembler {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(16);

    /** Text completed by these bytes; "" while a character is still partial. */
    String append(byte[] piece) {
        if (pending.remaining() < piece.length) {
            ByteBuffer bigger = ByteBuffer.allocate(pending.position() + piece.length + 16);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(piece);
        pending.flip();
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 1);
        decoder.decode(pending, out, false);
        pending.compact();
        out.flip();
        return out.toString();
    }

    /** Whatever is still held back, decoded with replacement characters. */
    String finish() {
        pending.flip();
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
        decoder.decode(pending, out, true);
        decoder.flush(out);
        pending.clear();
        decoder.reset();
        out.flip();
        return out.toString();
    }
}
