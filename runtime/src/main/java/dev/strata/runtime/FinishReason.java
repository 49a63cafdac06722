package dev.strata.runtime;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced an end-of-generation token. */
    STOP,
    /** The token limit of the request, or the context, was reached. */
    LENGTH,
    /** The caller closed the stream before it finished. */
    CANCELLED,
    /** llama.cpp failed while generating; the exception reached the caller of {@code next()}. */
    ERROR
}
