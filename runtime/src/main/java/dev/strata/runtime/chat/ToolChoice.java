package dev.strata.runtime.chat;

/** Whether the model may, must or must not call a tool. */
public enum ToolChoice {
    /** The model decides; a tool call grammar applies only once the model starts a call. */
    AUTO("auto"),
    /** Tools are described but the model must answer in text. */
    NONE("none"),
    /** The answer must contain a tool call (the grammar holds from the first token). */
    REQUIRED("required");

    private final String wireName;

    ToolChoice(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
