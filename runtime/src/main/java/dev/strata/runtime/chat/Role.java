package dev.strata.runtime.chat;

/** Who wrote a message; {@link #wireName()} is the OpenAI-compatible role string. */
public enum Role {
    SYSTEM("system"),
    USER("user"),
    ASSISTANT("assistant"),
    /** The answer of a tool to an assistant's {@link ToolCall}. */
    TOOL("tool");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The role with this wire name. */
    public static Role fromWireName(String name) {
        for (Role r : values()) {
            if (r.wireName.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown chat role '" + name + "'");
    }
}
