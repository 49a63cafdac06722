// Contexts: creation, batch decode, per-sequence KV operations, logits and embeddings readout,
// the memory breakdown per buffer type, and the abort flag used for cancellation.
#include "jni_support.h"
#include "handles.h"

#include "ggml-backend.h"
#include "llama-ext.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <climits>
#include <cmath>
#include <vector>

using namespace strata;


namespace {

context_handle * context_of(jlong h) {
    if (h == 0) throw java_error(JavaError::InvalidArgument, "null context handle");
    return from_handle<context_handle>(h);
}

llama_memory_t memory_of(const context_handle * c) {
    llama_memory_t mem = llama_get_memory(c->context.get());
    if (mem == nullptr) {
        throw java_error(JavaError::InvalidArgument, "this context has no KV memory (an encoder-only embedding model)");
    }
    return mem;
}

void require_seq(const context_handle * c, const char * what, jint seq) {
    require_range(what, seq, 0, static_cast<long long>(c->n_seq_max) - 1);
}

bool abort_requested(void * data) {
    return static_cast<context_handle *>(data)->abort_requested.load(std::memory_order_relaxed);
}

jfloatArray to_floats(JNIEnv * env, const float * data, int32_t n) {
    jfloatArray out = env->NewFloatArray(n);
    if (out && n > 0) env->SetFloatArrayRegion(out, 0, n, data);
    return out;
}

// The timing hooks' scope: the context's memory is cleared on entry and on exit, also when a step
// fails, so the caller gets it back empty either way.
struct memory_cleared {
    llama_context * ctx;
    explicit memory_cleared(llama_context * c) : ctx(c) { llama_memory_clear(llama_get_memory(ctx), true); }
    ~memory_cleared() { llama_memory_clear(llama_get_memory(ctx), true); }
    memory_cleared(const memory_cleared &) = delete;
    memory_cleared & operator=(const memory_cleared &) = delete;
};

// The greedy backend sampler of every sequence. Like llama.cpp's greedy sampler it puts the argmax in
// the graph, but (1) one argmax over every output row serves all sequences of a graph, where each
// greedy sampler would add its own one-row kernel (and an idle sequence's sampler one on a dummy row),
// and (2) it hands back only the token: llama.cpp then copies no logits row per output, 16 MB a step
// for 32 outputs of a 128k vocabulary (StreamsOverhead on the H100: 13.2 -> 12.4 ms per 32-stream
// step for the copy alone). A sequence whose request reads its row is taken out (sampleInGraph).
struct graph_greedy {
    shared_argmax * shared;
};

const char * graph_greedy_name(const llama_sampler *) { return "strata-greedy"; }

void graph_greedy_apply(llama_sampler *, llama_token_data_array * cur_p) {
    // the CPU path, as llama.cpp's greedy: the first highest logit
    int64_t best = 0;
    for (size_t i = 1; i < cur_p->size; i++) {
        if (cur_p->data[i].logit > cur_p->data[best].logit) best = static_cast<int64_t>(i);
    }
    cur_p->selected = best;
}

void graph_greedy_free(llama_sampler * smpl) { delete static_cast<graph_greedy *>(smpl->ctx); }

bool graph_greedy_backend_init(llama_sampler *, ggml_backend_buffer_type_t, uint32_t) { return true; }

void graph_greedy_backend_reset(llama_sampler * smpl) {
    // a new sampling graph is being built: the last one's argmax is not in it
    shared_argmax * shared = static_cast<graph_greedy *>(smpl->ctx)->shared;
    shared->rows = nullptr;
    shared->argmax = nullptr;
}

void graph_greedy_backend_apply(llama_sampler * smpl, ggml_context * ctx, ggml_cgraph *, llama_sampler_data * data) {
    shared_argmax * shared = static_cast<graph_greedy *>(smpl->ctx)->shared;
    ggml_tensor * row = data->logits;
    ggml_tensor * rows = row->view_src;
    if (rows != nullptr && row->ne[0] == rows->ne[0] && ggml_nrows(row) == 1 && ggml_is_contiguous(rows)) {
        // llama.cpp hands each sampler a one-row view of the (padded) logits of every output
        if (shared->rows != rows) {
            shared->rows = rows;
            shared->argmax = ggml_argmax(ctx, rows);
            ggml_set_name(shared->argmax, "strata_greedy_argmax");
        }
        const size_t r = row->view_offs / rows->nb[1];
        data->sampled = ggml_view_1d(ctx, shared->argmax, 1, r * shared->argmax->nb[0]);
    } else {
        data->sampled = ggml_argmax(ctx, ggml_reshape_1d(ctx, row, ggml_nelements(row)));
    }
    data->logits = nullptr; // no row copied back: the token is all a greedy sequence needs
}

llama_sampler_i graph_greedy_iface = {
    /* .name              = */ graph_greedy_name,
    /* .accept            = */ nullptr,
    /* .apply             = */ graph_greedy_apply,
    /* .reset             = */ nullptr,
    /* .clone             = */ nullptr,
    /* .free              = */ graph_greedy_free,
    /* .backend_init      = */ graph_greedy_backend_init,
    /* .backend_accept    = */ nullptr,
    /* .backend_apply     = */ graph_greedy_backend_apply,
    /* .backend_set_input = */ nullptr,
    /* .backend_reset     = */ graph_greedy_backend_reset,
    /* .copy_state        = */ nullptr,
};

// A sampler chain holding one graph greedy sampler: llama.cpp offloads chains only.
llama_sampler * graph_greedy_chain(context_handle * c) {
    llama_sampler * chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(chain, llama_sampler_init(&graph_greedy_iface, new graph_greedy{&c->argmax})); // the chain owns it
    return chain;
}

} // namespace

namespace strata {

void require_row_copied(const context_handle * c, int32_t index) {
    if (!c->backend_sampling) return;
    const int64_t n = static_cast<int64_t>(c->row_in_graph.size());
    const int64_t i = index < 0 ? n + index : index;
    if (i >= 0 && i < n && c->row_in_graph[static_cast<size_t>(i)]) {
        throw java_error(JavaError::InvalidArgument, "batch index " + std::to_string(index) + " (sequence " +
            std::to_string(c->batch.seq_id[i][0]) + ") was sampled greedily in the graph and its logits row was not copied back;"
            " take the sequence out of graph sampling (sampleInGraph(sequence, false)) before the decode whose row you need");
    }
}

} // namespace strata

JNI_FN(jlong, contextCreate)(JNIEnv * env, jclass, jlong model_h, jint n_ctx, jint n_batch, jint n_ubatch, jint n_seq_max,
                            jint n_threads, jint n_threads_batch, jint flash_attention, jint type_k, jint type_v,
                            jboolean embeddings, jint pooling, jboolean kv_unified, jboolean offload_kqv,
                            jboolean swa_full, jboolean backend_sampling) {
    return guarded<jlong>(env, 0, [&]() -> jlong {
        if (model_h == 0) throw java_error(JavaError::InvalidArgument, "null model handle");
        auto * m = from_handle<model_handle>(model_h);
        if (m->vocab_only) {
            throw java_error(JavaError::InvalidArgument, "a vocabulary-only model has no weights: load it without vocabOnly to make a context");
        }
        require_range("n_ctx", n_ctx, 0, 1 << 24);
        require_range("n_batch", n_batch, 1, 1 << 20);
        require_range("n_ubatch", n_ubatch, 1, 1 << 20);
        require_range("n_seq_max", n_seq_max, 1, static_cast<long long>(llama_max_parallel_sequences()));
        require_range("n_threads", n_threads, 1, 1024);
        require_range("n_threads_batch", n_threads_batch, 1, 1024);
        require_range("flash_attention", flash_attention, LLAMA_FLASH_ATTN_TYPE_AUTO, LLAMA_FLASH_ATTN_TYPE_ENABLED);
        require_range("type_k", type_k, 0, GGML_TYPE_COUNT - 1);
        require_range("type_v", type_v, 0, GGML_TYPE_COUNT - 1);
        require_range("pooling", pooling, LLAMA_POOLING_TYPE_UNSPECIFIED, LLAMA_POOLING_TYPE_RANK);
        if (ggml_type_size(static_cast<ggml_type>(type_k)) == 0 || ggml_type_size(static_cast<ggml_type>(type_v)) == 0) {
            throw java_error(JavaError::InvalidArgument, "type_k/type_v names a removed ggml type");
        }

        auto handle = std::make_unique<context_handle>();
        llama_context_params params = llama_context_default_params();
        params.n_ctx           = static_cast<uint32_t>(n_ctx);
        params.n_batch         = static_cast<uint32_t>(n_batch);
        params.n_ubatch        = static_cast<uint32_t>(n_ubatch);
        params.n_seq_max       = static_cast<uint32_t>(n_seq_max);
        params.n_threads       = n_threads;
        params.n_threads_batch = n_threads_batch;
        params.flash_attn_type = static_cast<llama_flash_attn_type>(flash_attention);
        params.type_k          = static_cast<ggml_type>(type_k);
        params.type_v          = static_cast<ggml_type>(type_v);
        params.embeddings      = embeddings;
        params.pooling_type    = static_cast<enum llama_pooling_type>(pooling);
        params.kv_unified      = kv_unified;
        params.offload_kqv     = offload_kqv;
        params.swa_full        = swa_full;
        params.abort_callback      = abort_requested;
        params.abort_callback_data = handle.get();

        std::vector<llama_sampler_seq_config> sampler_configs;
        if (backend_sampling && !embeddings) {
            for (jint seq = 0; seq < n_seq_max; seq++) {
                llama_sampler * chain = graph_greedy_chain(handle.get());
                handle->backend_samplers.emplace_back(chain);
                sampler_configs.push_back({seq, chain});
            }
            params.samplers   = sampler_configs.data();
            params.n_samplers = sampler_configs.size();
            // The decode loop asks for one output per sequence: reserving the graph for that many
            // rather than a full micro-batch keeps the sampling nodes (a padded copy of the logits)
            // from doubling the logits' share of the compute buffer.
            params.n_outputs_max = static_cast<uint32_t>(n_seq_max);
            handle->backend_sampling = true;
            handle->in_graph.assign(static_cast<size_t>(n_seq_max), 1);
        }

        clear_thread_errors();
        llama_context * raw = llama_init_from_model(m->model.get(), params);
        if (raw == nullptr) {
            const std::string why = thread_errors();
            const std::string msg = "llama.cpp could not create a context (n_ctx " + std::to_string(n_ctx) + ", n_batch " +
                std::to_string(n_batch) + ", n_seq_max " + std::to_string(n_seq_max) + ")" + (why.empty() ? "" : ": " + why);
            if (why.find("ggml abort") != std::string::npos) throw java_error(JavaError::NativeAbort, msg);
            if (why.find("allocate") != std::string::npos || why.find("out of memory") != std::string::npos) {
                throw java_error(JavaError::AllocationFailed, msg);
            }
            throw java_error(JavaError::Llama, msg);
        }
        handle->context.reset(raw);
        ggml_threadpool_params tpp = ggml_threadpool_params_default(std::max(n_threads, n_threads_batch));
        handle->threadpool = ggml_threadpool_new(&tpp);
        if (handle->threadpool != nullptr) llama_attach_threadpool(raw, handle->threadpool, nullptr);
        handle->model = m->model.get();
        handle->n_seq_max = llama_n_seq_max(raw);
        handle->batch_capacity = static_cast<int32_t>(llama_n_batch(raw));
        handle->batch = llama_batch_init(handle->batch_capacity, 0, 1);
        handle->seq_scratch.resize(static_cast<size_t>(handle->batch_capacity));
        handle->outputs_per_seq.resize(handle->n_seq_max);
        return to_handle(handle.release());
    });
}

JNI_FN(void, contextFree)(JNIEnv * env, jclass, jlong h) {
    guarded_void(env, [&]() { delete from_handle<context_handle>(h); });
}

JNI_FN(jintArray, contextFacts)(JNIEnv * env, jclass, jlong h) {
    return guarded<jintArray>(env, nullptr, [&]() {
        const context_handle * c = context_of(h);
        llama_context * ctx = c->context.get();
        const jint facts[] = {
            static_cast<jint>(llama_n_ctx(ctx)), static_cast<jint>(llama_n_batch(ctx)), static_cast<jint>(llama_n_ubatch(ctx)),
            static_cast<jint>(llama_n_seq_max(ctx)), static_cast<jint>(llama_pooling_type(ctx)),
            llama_vocab_n_tokens(llama_model_get_vocab(c->model)), llama_model_n_embd_out(c->model),
        };
        const jsize n = static_cast<jsize>(sizeof(facts) / sizeof(facts[0]));
        jintArray out = env->NewIntArray(n);
        if (out) env->SetIntArrayRegion(out, 0, n, facts);
        return out;
    });
}

JNI_FN(jint, decode)(JNIEnv * env, jclass, jlong h, jintArray jtokens, jintArray jpos, jintArray jseq, jbyteArray joutputs, jint n) {
    return guarded<jint>(env, -1, [&]() -> jint {
        context_handle * c = context_of(h);
        require_range("batch size", n, 1, c->batch_capacity);
        if (env->GetArrayLength(jtokens) < n || env->GetArrayLength(jpos) < n || env->GetArrayLength(jseq) < n ||
            env->GetArrayLength(joutputs) < n) {
            throw java_error(JavaError::InvalidArgument, "batch arrays are shorter than the batch size");
        }
        llama_batch & b = c->batch;
        env->GetIntArrayRegion(jtokens, 0, n, b.token);
        env->GetIntArrayRegion(jpos, 0, n, b.pos);
        env->GetByteArrayRegion(joutputs, 0, n, reinterpret_cast<jbyte *>(b.logits));
        // Checked here: llama.cpp validates some of this, but only by logging, and a bad sequence
        // id indexes arrays sized n_seq_max.
        const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(c->model));
        std::vector<jint> & seq = c->seq_scratch;
        env->GetIntArrayRegion(jseq, 0, n, seq.data());
        for (jint i = 0; i < n; i++) {
            require_range("token id", b.token[i], 0, n_vocab - 1);
            require_range("position", b.pos[i], 0, INT32_MAX - 1);
            require_seq(c, "sequence id", seq[i]);
            b.n_seq_id[i] = 1;
            b.seq_id[i][0] = seq[i];
        }
        if (c->backend_sampling) {
            // llama.cpp aborts the process past n_outputs_max and refuses a second output of a sequence
            // with a backend sampler: say so here instead.
            std::fill(c->outputs_per_seq.begin(), c->outputs_per_seq.end(), 0);
            for (jint i = 0; i < n; i++) {
                if (b.logits[i] != 0 && ++c->outputs_per_seq[static_cast<size_t>(seq[i])] > 1) {
                    throw java_error(JavaError::InvalidArgument, "sequence " + std::to_string(seq[i]) +
                        " asks for more than one output in this decode; a context with backend sampling gives one per sequence");
                }
            }
        }
        b.n_tokens = n;
        if (c->backend_sampling) {
            c->row_in_graph.assign(static_cast<size_t>(n), 0);
            for (jint i = 0; i < n; i++) {
                c->row_in_graph[static_cast<size_t>(i)] = b.logits[i] != 0 && c->in_graph[static_cast<size_t>(seq[i])];
            }
        }
        clear_thread_errors();
        const int32_t rc = llama_decode(c->context.get(), b);
        if (rc == 0) c->retired_samplers.clear(); // the graph that named them is rebuilt by now
        return rc;
    });
}

// Takes a sequence's greedy backend sampler out of the graph (on = false), so that its rows are copied
// back and can be read (logprobs, other samplers, grammars), or puts a fresh one back. llama.cpp
// re-reserves its compute graphs at the next decode after either.
JNI_FN(void, sampleInGraph)(JNIEnv * env, jclass, jlong h, jint seq, jboolean on) {
    guarded_void(env, [&]() {
        context_handle * c = context_of(h);
        require_seq(c, "sequence id", seq);
        if (!c->backend_sampling) {
            throw java_error(JavaError::InvalidArgument, "this context has no backend sampling (create it with backendSampling)");
        }
        const size_t s = static_cast<size_t>(seq);
        if ((c->in_graph[s] != 0) == (on != JNI_FALSE)) return;
        if (on) {
            std::unique_ptr<llama_sampler, sampler_deleter> chain(graph_greedy_chain(c));
            clear_thread_errors();
            if (!llama_set_sampler(c->context.get(), seq, chain.get())) {
                throw java_error(JavaError::Llama, "llama.cpp did not attach the greedy backend sampler of sequence " +
                                                       std::to_string(seq) + ": " + thread_errors());
            }
            c->backend_samplers[s] = std::move(chain);
        } else {
            llama_set_sampler(c->context.get(), seq, nullptr);
            c->retired_samplers.push_back(std::move(c->backend_samplers[s]));
        }
        c->in_graph[s] = on ? 1 : 0;
    });
}

JNI_FN(void, setAbort)(JNIEnv * env, jclass, jlong h, jboolean abort) {
    guarded_void(env, [&]() { context_of(h)->abort_requested.store(abort, std::memory_order_relaxed); });
}

JNI_FN(jobjectArray, memoryBreakdownNames)(JNIEnv * env, jclass, jlong h) {
    return guarded<jobjectArray>(env, nullptr, [&]() {
        std::vector<std::string> names;
        for (const auto & [buft, mb] : llama_get_memory_breakdown(context_of(h)->context.get())) {
            names.emplace_back(ggml_backend_buft_name(buft));
            ggml_backend_dev_t dev = ggml_backend_buft_get_device(buft);
            names.emplace_back(dev == nullptr ? "" : ggml_backend_dev_name(dev));
        }
        return to_string_array(env, names);
    });
}

JNI_FN(jlongArray, memoryBreakdownBytes)(JNIEnv * env, jclass, jlong h) {
    return guarded<jlongArray>(env, nullptr, [&]() {
        std::vector<jlong> bytes;
        for (const auto & [buft, mb] : llama_get_memory_breakdown(context_of(h)->context.get())) {
            bytes.push_back(static_cast<jlong>(mb.model));
            bytes.push_back(static_cast<jlong>(mb.context));
            bytes.push_back(static_cast<jlong>(mb.compute));
            bytes.push_back(ggml_backend_buft_is_host(buft) ? 1 : 0);
        }
        jlongArray out = env->NewLongArray(static_cast<jsize>(bytes.size()));
        if (out && !bytes.empty()) env->SetLongArrayRegion(out, 0, static_cast<jsize>(bytes.size()), bytes.data());
        return out;
    });
}

JNI_FN(jboolean, seqRemove)(JNIEnv * env, jclass, jlong h, jint seq, jint p0, jint p1) {
    return guarded<jboolean>(env, JNI_FALSE, [&]() -> jboolean {
        const context_handle * c = context_of(h);
        if (seq != -1) require_seq(c, "sequence id", seq);
        return llama_memory_seq_rm(memory_of(c), seq, p0, p1) ? JNI_TRUE : JNI_FALSE;
    });
}

JNI_FN(void, seqCopy)(JNIEnv * env, jclass, jlong h, jint src, jint dst, jint p0, jint p1) {
    guarded_void(env, [&]() {
        const context_handle * c = context_of(h);
        require_seq(c, "source sequence id", src);
        require_seq(c, "destination sequence id", dst);
        llama_memory_seq_cp(memory_of(c), src, dst, p0, p1);
    });
}

// One sequence's KV cells (positions and data) as bytes, to move it out of the cache and back
// bit for bit: preempting a request this way changes none of its later tokens, as recomputing would.
JNI_FN(jbyteArray, seqStateSave)(JNIEnv * env, jclass, jlong h, jint seq) {
    return guarded<jbyteArray>(env, nullptr, [&]() -> jbyteArray {
        const context_handle * c = context_of(h);
        require_seq(c, "sequence id", seq);
        const size_t size = llama_state_seq_get_size(c->context.get(), seq);
        if (size > static_cast<size_t>(INT32_MAX - 16)) {
            throw java_error(JavaError::InvalidArgument, "sequence state of " + std::to_string(size) + " bytes is too large for a Java array");
        }
        std::vector<uint8_t> data(size);
        const size_t written = llama_state_seq_get_data(c->context.get(), data.data(), data.size(), seq);
        jbyteArray out = env->NewByteArray(static_cast<jsize>(written));
        if (out == nullptr) return nullptr; // OutOfMemoryError pending
        env->SetByteArrayRegion(out, 0, static_cast<jsize>(written), reinterpret_cast<const jbyte *>(data.data()));
        return out;
    });
}

// Restores a sequence saved by seqStateSave into an empty sequence id; false when the cache has no
// room for its cells (the caller recomputes instead).
JNI_FN(jboolean, seqStateRestore)(JNIEnv * env, jclass, jlong h, jint seq, jbyteArray jdata) {
    return guarded<jboolean>(env, JNI_FALSE, [&]() -> jboolean {
        const context_handle * c = context_of(h);
        require_seq(c, "sequence id", seq);
        if (jdata == nullptr) throw java_error(JavaError::InvalidArgument, "null sequence state");
        const jsize n = env->GetArrayLength(jdata);
        std::vector<uint8_t> data(static_cast<size_t>(n));
        env->GetByteArrayRegion(jdata, 0, n, reinterpret_cast<jbyte *>(data.data()));
        clear_thread_errors();
        return llama_state_seq_set_data(c->context.get(), data.data(), data.size(), seq) > 0 ? JNI_TRUE : JNI_FALSE;
    });
}

JNI_FN(void, seqKeep)(JNIEnv * env, jclass, jlong h, jint seq) {
    guarded_void(env, [&]() {
        const context_handle * c = context_of(h);
        require_seq(c, "sequence id", seq);
        llama_memory_seq_keep(memory_of(c), seq);
    });
}

JNI_FN(jint, seqPosMax)(JNIEnv * env, jclass, jlong h, jint seq) {
    return guarded<jint>(env, -1, [&]() -> jint {
        const context_handle * c = context_of(h);
        require_seq(c, "sequence id", seq);
        return llama_memory_seq_pos_max(memory_of(c), seq);
    });
}

JNI_FN(void, memoryClear)(JNIEnv * env, jclass, jlong h) {
    guarded_void(env, [&]() {
        // An encoder-only context keeps nothing between batches: there is nothing to clear.
        llama_memory_t mem = llama_get_memory(context_of(h)->context.get());
        if (mem != nullptr) llama_memory_clear(mem, true);
    });
}

JNI_FN(jfloatArray, logits)(JNIEnv * env, jclass, jlong h, jint index) {
    return guarded<jfloatArray>(env, nullptr, [&]() {
        const context_handle * c = context_of(h);
        require_row_copied(c, index);
        const float * row = llama_get_logits_ith(c->context.get(), index);
        if (row == nullptr) {
            throw java_error(JavaError::InvalidArgument, "no logits for batch index " + std::to_string(index) +
                                                             ": that token was not marked as an output in the last decode");
        }
        return to_floats(env, row, llama_vocab_n_tokens(llama_model_get_vocab(c->model)));
    });
}

JNI_FN(jfloatArray, embeddings)(JNIEnv * env, jclass, jlong h, jint index) {
    return guarded<jfloatArray>(env, nullptr, [&]() {
        const context_handle * c = context_of(h);
        const float * row = llama_get_embeddings_ith(c->context.get(), index);
        if (row == nullptr) {
            throw java_error(JavaError::InvalidArgument, "no embeddings for batch index " + std::to_string(index) +
                                                             " (is the context created with embeddings and pooling NONE?)");
        }
        return to_floats(env, row, llama_model_n_embd_out(c->model));
    });
}

JNI_FN(jfloatArray, sequenceEmbeddings)(JNIEnv * env, jclass, jlong h, jint seq) {
    return guarded<jfloatArray>(env, nullptr, [&]() {
        const context_handle * c = context_of(h);
        require_seq(c, "sequence id", seq);
        const float * row = llama_get_embeddings_seq(c->context.get(), seq);
        if (row == nullptr) {
            throw java_error(JavaError::InvalidArgument, "no pooled embedding for sequence " + std::to_string(seq) +
                                                             " (is the context created with embeddings and a pooling type?)");
        }
        const int32_t n = llama_pooling_type(c->context.get()) == LLAMA_POOLING_TYPE_RANK
            ? static_cast<int32_t>(llama_model_n_cls_out(c->model)) : llama_model_n_embd_out(c->model);
        return to_floats(env, row, n);
    });
}

// How many of this context's decodes reused llama.cpp's previous compute graph instead of building
// one: a step that reuses skips graph build and allocation (and keeps ggml-cuda's captured CUDA graph).
JNI_FN(jint, graphsReused)(JNIEnv * env, jclass, jlong h) {
    return guarded<jint>(env, 0, [&]() -> jint {
        return llama_perf_context(context_of(h)->context.get()).n_reused;
    });
}

// Diagnostic for the many-stream gap (models-test's StreamsOverhead): llama-batched-bench's loop on a
// bridge context. Memory is cleared; `streams` prompts of `prompt` random tokens, each with its last
// logits, are decoded in n_batch views without waiting between them, then one llama_synchronize; then
// `gen` steps of one random token per stream, all outputs, each followed by llama_synchronize. Returns
// the prompt phase's nanoseconds, the generation steps' graphs reused, then per generation step the
// nanoseconds inside llama_decode and those waiting in llama_synchronize.
JNI_FN(jlongArray, testTimeBatched)(JNIEnv * env, jclass, jlong h, jint streams, jint prompt, jint gen,
                                    jboolean llama_threads) {
    return guarded<jlongArray>(env, nullptr, [&]() -> jlongArray {
        context_handle * c = context_of(h);
        llama_context * ctx = c->context.get();
        require_range("streams", streams, 1, static_cast<jint>(llama_n_seq_max(ctx)));
        require_range("prompt", prompt, 1, 1 << 20);
        require_range("gen", gen, 1, 1 << 20);
        if (static_cast<int64_t>(streams) * (prompt + gen) > llama_n_ctx(ctx)) {
            throw java_error(JavaError::InvalidArgument, "streams x (prompt + gen) exceeds the context");
        }
        const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(c->model));
        const int32_t n_batch = static_cast<int32_t>(llama_n_batch(ctx));
        const memory_cleared clear{ctx};
        // llama_threads: run without the bridge's threadpool, as llama-batched-bench does (ggml then starts
        // and joins its CPU threads on every graph)
        struct threads_back {
            context_handle * c;
            bool detached;
            ~threads_back() { if (detached) llama_attach_threadpool(c->context.get(), c->threadpool, nullptr); }
        } threads{c, llama_threads && c->threadpool != nullptr};
        if (threads.detached) llama_detach_threadpool(ctx);
        const int32_t total = streams * prompt;
        llama_batch batch = llama_batch_init(std::max(total, streams), 0, 1);
        struct free_after {
            llama_batch & b;
            ~free_after() { llama_batch_free(b); }
        } free_batch{batch};
        auto decode_views = [&](int32_t n_tokens, bool sync) {
            for (int32_t i = 0; i < n_tokens; i += n_batch) {
                const int32_t n = std::min(n_batch, n_tokens - i);
                llama_batch view = {n, batch.token + i, nullptr, batch.pos + i, batch.n_seq_id + i, batch.seq_id + i,
                                    batch.logits + i};
                const int32_t rc = llama_decode(ctx, view);
                if (rc != 0) throw java_error(JavaError::Llama, "decode returned " + std::to_string(rc));
                if (sync) llama_synchronize(ctx);
            }
        };
        for (jint s = 0; s < streams; s++) {
            for (jint i = 0; i < prompt; i++) {
                const int32_t k = s * prompt + i;
                batch.token[k] = std::rand() % n_vocab;
                batch.pos[k] = i;
                batch.n_seq_id[k] = 1;
                batch.seq_id[k][0] = s;
                batch.logits[k] = i == prompt - 1;
            }
        }
        const auto p0 = std::chrono::steady_clock::now();
        decode_views(total, false);
        llama_synchronize(ctx);
        const auto p1 = std::chrono::steady_clock::now();
        const int32_t reused_before = llama_perf_context(ctx).n_reused;
        std::vector<jlong> out(static_cast<size_t>(2 + 2 * gen));
        out[0] = std::chrono::duration_cast<std::chrono::nanoseconds>(p1 - p0).count();
        for (jint i = 0; i < gen; i++) {
            for (jint s = 0; s < streams; s++) {
                batch.token[s] = std::rand() % n_vocab;
                batch.pos[s] = prompt + i;
                batch.n_seq_id[s] = 1;
                batch.seq_id[s][0] = s;
                batch.logits[s] = true;
            }
            const auto t0 = std::chrono::steady_clock::now();
            llama_batch view = {streams, batch.token, nullptr, batch.pos, batch.n_seq_id, batch.seq_id, batch.logits};
            const int32_t rc = llama_decode(ctx, view);
            const auto t1 = std::chrono::steady_clock::now();
            if (rc != 0) throw java_error(JavaError::Llama, "decode returned " + std::to_string(rc) + " at step " + std::to_string(i));
            llama_synchronize(ctx);
            const auto t2 = std::chrono::steady_clock::now();
            out[static_cast<size_t>(2 + i)] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
            out[static_cast<size_t>(2 + gen + i)] = std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1).count();
        }
        out[1] = llama_perf_context(ctx).n_reused - reused_before;
        jlongArray arr = env->NewLongArray(static_cast<jsize>(out.size()));
        if (arr) env->SetLongArrayRegion(arr, 0, static_cast<jsize>(out.size()), out.data());
        return arr;
    });
}

// Diagnostic for the single-stream speed gap (models-test's DecodeOverhead): the same generation loop
// run entirely in C++ on a bridge context, so that what Java and JNI add per token can be told apart
// from what the context itself costs. mode 0 is llama-bench's tg loop (llama_batch_get_one, then
// llama_synchronize, a random next token); mode 1 feeds back the greedy token (the backend sampler's
// when the context has one, else an argmax over the logits row). Memory is cleared first. Returns, per
// step, the nanoseconds inside llama_decode and those waiting for the result, then the number of
// graphs llama.cpp reused.
JNI_FN(jlongArray, testTimeGeneration)(JNIEnv * env, jclass, jlong h, jint n, jint mode) {
    return guarded<jlongArray>(env, nullptr, [&]() -> jlongArray {
        context_handle * c = context_of(h);
        require_range("tokens", n, 1, 1 << 20);
        require_range("mode", mode, 0, 1);
        llama_context * ctx = c->context.get();
        const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(c->model));
        const memory_cleared clear{ctx};
        const int32_t reused_before = llama_perf_context(ctx).n_reused;
        std::vector<jlong> out(static_cast<size_t>(2 * n + 1));
        llama_token token = 100 % n_vocab;
        for (jint i = 0; i < n; i++) {
            const auto t0 = std::chrono::steady_clock::now();
            const int32_t rc = llama_decode(ctx, llama_batch_get_one(&token, 1));
            const auto t1 = std::chrono::steady_clock::now();
            if (rc != 0) throw java_error(JavaError::Llama, "decode returned " + std::to_string(rc) + " at step " + std::to_string(i));
            if (mode == 0) {
                llama_synchronize(ctx);
                token = std::rand() % n_vocab;
            } else if (c->backend_sampling) {
                token = llama_get_sampled_token_ith(ctx, -1);
            } else {
                const float * row = llama_get_logits_ith(ctx, -1);
                token = static_cast<llama_token>(std::max_element(row, row + n_vocab) - row);
            }
            const auto t2 = std::chrono::steady_clock::now();
            out[static_cast<size_t>(i)] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
            out[static_cast<size_t>(n + i)] = std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1).count();
        }
        out[static_cast<size_t>(2 * n)] = llama_perf_context(ctx).n_reused - reused_before;
        jlongArray arr = env->NewLongArray(static_cast<jsize>(out.size()));
        if (arr) env->SetLongArrayRegion(arr, 0, static_cast<jsize>(out.size()), out.data());
        return arr;
    });
}
