package dev.strata.memory.estimate.graph;

/** The ggml operations the simulated graphs use; {@link #inplace} mirrors ggml-alloc's {@code ggml_op_can_inplace}. */
public enum Op {
    NONE(false), GET_ROWS(false), SET_ROWS(false), MUL_MAT(false), MUL_MAT_ID(false), ADD(true), ADD_ID(true),
    MUL(true), DIV(true), SCALE(true), SQR(true), SQRT(true), CLAMP(true), UNARY(true), ROPE(true), RMS_NORM(true),
    NORM(false), SOFT_MAX(true), FLASH_ATTN_EXT(false), GLU(false), CONT(false), CPY(false), RESHAPE(false),
    VIEW(false), PERMUTE(false), TRANSPOSE(false), ARGSORT(false), TOP_K(false), SUM_ROWS(false), CONCAT(false),
    REPEAT(false), PAD(false), FILL(true), ARGMAX(false);

    private final boolean inplace;

    Op(boolean inplace) {
        this.inplace = inplace;
    }

    /** Whether ggml-alloc may give the result its parent's memory (the parent's last use, same layout). */
    public boolean inplace() {
        return inplace;
    }

    /** Operations whose result is a view of their first source rather than memory of their own. */
    public boolean view() {
        return this == RESHAPE || this == VIEW || this == PERMUTE || this == TRANSPOSE;
    }
}
