package dev.strata.http.openai;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events on a POST response, as OpenAI streams: {@code data: {json}\n\n} per event,
 * flushed at once, and {@code data: [DONE]\n\n} at the end. Javalin's SSE support is for GET routes, so
 * the lines are written here on the servlet's output stream, bypassing Javalin's compression.
 */
final class EventStream {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;

    /** Commits a 200 with the event-stream headers; errors after this are events, not statuses. */
    EventStream(Context ctx) throws IOException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no"); // proxies such as nginx must not hold events back
        out = ctx.res().getOutputStream();
        out.flush();
    }

    /** @throws ClientGoneException when the client has disconnected */
    void send(Object event) {
        byte[] json = OpenAiJson.write(event);
        write(json);
    }

    void done() {
        try {
            out.write(DONE);
            out.flush();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    private void write(byte[] json) {
        try {
            out.write("data: ".getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    /** The client closed the connection: the generation it asked for must be cancelled. */
    static final class ClientGoneException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGoneException(IOException cause) {
            super("the client disconnected: " + cause.getMessage(), cause);
        }
    }
}
