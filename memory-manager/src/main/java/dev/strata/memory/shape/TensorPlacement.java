package dev.strata.memory.shape;

/**
 * Which of llama.cpp's three layer kinds a tensor belongs to ({@code llm_tensor_layer} in
 * src/llama-arch.cpp, {@code LLM_TENSOR_INFOS}); that decides the device it is loaded on
 * (src/llama-model-loader.cpp, {@code llama_model_loader::create_tensor}).
 */
public enum TensorPlacement {
    /** {@code LLM_TENSOR_LAYER_INPUT}: llama.cpp always keeps it on the CPU (llama-model.cpp, load_tensors: "assign the input layer"). */
    INPUT,
    /** {@code LLM_TENSOR_LAYER_REPEATING}: on the device of its layer. */
    LAYER,
    /** {@code LLM_TENSOR_LAYER_OUTPUT}: on the device of the output layer (layer index {@code n_layer}). */
    OUTPUT
}
