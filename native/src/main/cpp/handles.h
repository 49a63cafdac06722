// The native objects behind Java handles. Each is owned by exactly one Java object, which frees
// it once; unique_ptrs with llama.cpp's deleters keep partial constructions from leaking.
#pragma once

#include "llama.h"
#include "chat.h"
#include "ggml-cpu.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include <jni.h>

namespace strata {

struct model_deleter   { void operator()(llama_model * m)   const { llama_model_free(m); } };
struct context_deleter { void operator()(llama_context * c) const { llama_free(c); } };
struct sampler_deleter { void operator()(llama_sampler * s) const { llama_sampler_free(s); } };

struct model_handle {
    std::unique_ptr<llama_model, model_deleter> model;
    // A vocabulary-only model has no hyperparameters: llama.cpp aborts when they are asked for.
    bool vocab_only = false;
    // Parsed lazily on the first chat request; common_chat_templates_init compiles the Jinja source.
    std::mutex templates_mutex;
    common_chat_templates_ptr templates;

    const llama_vocab * vocab() const { return llama_model_get_vocab(model.get()); }
    int32_t n_vocab() const { return llama_vocab_n_tokens(vocab()); }
};

// The one argmax over every output row that a graph's greedy backend samplers share (context.cpp),
// set while llama.cpp builds a sampling graph and cleared before it builds the next.
struct shared_argmax {
    ggml_tensor * rows = nullptr;   // the logits rows the samplers' views look into
    ggml_tensor * argmax = nullptr; // one token per row
};

struct context_handle {
    std::unique_ptr<llama_context, context_deleter> context;
    const llama_model * model = nullptr;
    // Reused for every decode: sized to n_batch once, so the decode path allocates nothing.
    llama_batch batch{};
    int32_t batch_capacity = 0;
    std::vector<jint> seq_scratch; // sequence ids of the batch being checked, also sized once

    uint32_t n_seq_max = 1;
    std::atomic<bool> abort_requested{false};

    // The CPU backend's worker threads, kept for the context's life (as llama-bench does): without
    // one, ggml starts and joins its threads on every graph, which costs more than a small model's
    // whole token on the CPU and runs on every token even with all layers on a GPU.
    ggml_threadpool * threadpool = nullptr;

    // Backend sampling: one greedy chain per sequence, attached at creation (attaching later makes
    // llama.cpp re-reserve its compute buffers) and referenced by the context until it is freed.
    // The argmax then runs inside the graph on the output layer's device; the logits rows are still
    // copied back for sequences that sample on the CPU. A decode may then ask for at most one output
    // per sequence (llama.cpp's n_outputs_max, which it asserts on).
    std::vector<std::unique_ptr<llama_sampler, sampler_deleter>> backend_samplers;
    bool backend_sampling = false;
    shared_argmax argmax;
    // Per sequence: 1 while its greedy sampler is attached (its rows are sampled in the graph and not
    // copied back), 0 after sampleInGraph took it out (llama.cpp then copies the raw logits rows).
    std::vector<uint8_t> in_graph;
    // Per batch index of the last decode: 1 where that output's row was sampled in the graph, so it
    // cannot be read; filled by decode.
    std::vector<uint8_t> row_in_graph;
    // Chains taken out by sampleInGraph: llama.cpp's last graph may still name them until the next decode rebuilds it.
    std::vector<std::unique_ptr<llama_sampler, sampler_deleter>> retired_samplers;
    std::vector<int32_t> outputs_per_seq; // scratch of the decode check, sized n_seq_max once

    ~context_handle() {
        context.reset(); // before the threadpool it may still use
        if (threadpool != nullptr) ggml_threadpool_free(threadpool);
        if (batch_capacity > 0) llama_batch_free(batch);
    }
};

// Throws InvalidArgument when the output at batch index `index` of the context's last decode was
// sampled in the graph: its logits row was not copied back, and what the buffer holds is stale.
void require_row_copied(const context_handle * c, int32_t index);

struct sampler_handle {
    std::unique_ptr<llama_sampler, sampler_deleter> chain;
    int32_t n_vocab = 0;
    llama_sampler * grammar = nullptr;         // inside chain (which owns it); null without a grammar
    std::vector<llama_token> grammar_prefill;  // fed to the grammar after create and after each reset
    bool greedy_only = false;                  // the chain is argmax alone: sample without building candidates
    std::vector<llama_token_data> candidates;  // the chain's input, sized to the vocabulary once
};

template <typename T> T * from_handle(jlong h) { return reinterpret_cast<T *>(static_cast<intptr_t>(h)); }
template <typename T> jlong to_handle(T * p) { return static_cast<jlong>(reinterpret_cast<intptr_t>(p)); }

} // namespace strata
