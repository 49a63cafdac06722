package dev.strata.llama;

/**
 * How deeply a JSON text nests arrays and objects, counted without parsing it. llama.cpp's JSON
 * code (nlohmann::json, the schema converter, the chat templates) walks documents recursively on the
 * calling thread's stack; a document nested a hundred thousand levels deep would overflow that stack
 * inside native code, which kills the JVM instead of throwing. So documents are measured here first.
 */
final class JsonNesting {
    private JsonNesting() {}

    /**
     * Throws when {@code json} nests deeper than {@code max} levels; brackets inside strings do not count.
     *
     * @param what names the document in the message, e.g. "JSON schema"
     */
    static void requireAtMost(String json, int max, String what) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++; // the escaped character cannot end the string
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max) {
                    throw new IllegalArgumentException(what + " nests arrays and objects more than " + max
                            + " levels deep; flatten it to at most " + max + " levels");
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
    }
}
