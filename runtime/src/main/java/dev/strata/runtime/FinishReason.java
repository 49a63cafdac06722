package dev.strata.runtime;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced an end-of-generation token, or the text reached a stop string. */
    STOP,
    /** The token limit of the request, or the context, was reached. */
    LENGTH,
    /** The caller cancelled (or closed the stream), or the model was closed, before it finished. */
    CANCELLED,
    /** llama.cpp failed while generating; {@link GenerationResult#error()} says how. */
    ERROR
}
