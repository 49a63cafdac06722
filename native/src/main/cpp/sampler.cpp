// Sampler chains: penalties, grammar, top-k, top-p, min-p, temperature, then a seeded draw
// (or greedy when temperature <= 0), in the order llama.cpp's common sampler uses.
// A grammar may be lazy (idle until a trigger pattern or token appears, as for tool calls) and
// may be prefilled with text the prompt already holds (a chat template's generation prompt).
#include "jni_support.h"
#include "handles.h"

#include "common.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace strata;

// The most alternatives a logprobs request may ask for (OpenAI's top_logprobs allows 0 to 20).
constexpr int32_t MAX_TOP_LOGPROBS = 20;


namespace {

sampler_handle * sampler_of(jlong h) {
    if (h == 0) throw java_error(JavaError::InvalidArgument, "null sampler handle");
    return from_handle<sampler_handle>(h);
}

void require_finite(const char * what, float v) {
    if (!std::isfinite(v)) throw java_error(JavaError::InvalidArgument, std::string(what) + " must be finite");
}

bool all_space(const std::string & s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// Tokens whose pieces spell exactly the prompt's tail that an eager grammar must consume before the
// first sampled token (a chat template's generation prompt). Tokenizers add whitespace that the
// text does not have: a space before a leading special token (common_sampler_init skips that
// piece), or SPM's space prefix glued to the first character (" <"), which no skipping can fix;
// there a newline anchor in front moves the space into pieces of its own that can be dropped.
std::vector<llama_token> prefill_tokens(const llama_vocab * vocab, const std::string & text) {
    for (const std::string anchor : {std::string(), std::string("\n")}) {
        const auto tokens = common_tokenize(vocab, anchor + text, false, true);
        std::vector<std::string> pieces;
        std::string tail;
        for (llama_token t : tokens) {
            pieces.push_back(common_token_to_piece(vocab, t, true));
            tail += pieces.back();
        }
        for (size_t k = 0; k <= tokens.size(); k++) {
            if (tail == text) return std::vector<llama_token>(tokens.begin() + static_cast<std::ptrdiff_t>(k), tokens.end());
            if (k == tokens.size() || !all_space(pieces[k])) break;
            tail.erase(0, pieces[k].size());
        }
    }
    throw java_error(JavaError::Grammar, "no tokenization of the grammar prefill spells it exactly: '" + text + "'");
}

void accept_prefill(sampler_handle * s) {
    try {
        for (llama_token t : s->grammar_prefill) llama_sampler_accept(s->grammar, t);
    } catch (const std::exception & e) {
        throw java_error(JavaError::Grammar, std::string("the grammar rejects the prefill text: ") + e.what());
    }
}

llama_sampler * init_grammar(const llama_vocab * vocab, const std::string & grammar, const std::string & root,
                             const std::vector<std::string> & patterns, const std::vector<llama_token> & tokens) {
    if (patterns.empty() && tokens.empty()) return llama_sampler_init_grammar(vocab, grammar.c_str(), root.c_str());
    for (const auto & p : patterns) {
        try {
            std::regex check(p);
        } catch (const std::regex_error & e) {
            throw java_error(JavaError::Grammar, "grammar trigger pattern '" + p + "' is not a valid regex: " + e.what());
        }
    }
    std::vector<const char *> cpatterns;
    for (const auto & p : patterns) cpatterns.push_back(p.c_str());
    return llama_sampler_init_grammar_lazy_patterns(vocab, grammar.c_str(), root.c_str(), cpatterns.data(), cpatterns.size(),
                                                    tokens.data(), tokens.size());
}

// Index of the first largest value: what the greedy sampler picks. Vectorized because it runs
// once per sequence per step over the whole vocabulary (128k floats for Llama 3), on the thread
// that decodes: with 32 sequences a scalar scan costs a fast GPU a large share of each step.
#if defined(__x86_64__)
__attribute__((target("avx2")))
int32_t argmax(const float * x, int32_t n) {
    // One pass: each lane keeps its largest value and the first index holding it (logits arrive
    // fresh from the device, so reading them once matters more than the compares).
    if (n < 16) return static_cast<int32_t>(std::max_element(x, x + n) - x);
    __m256 best = _mm256_loadu_ps(x);
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i best_idx = idx;
    const __m256i step = _mm256_set1_epi32(8);
    int32_t i = 8;
    for (; i + 8 <= n; i += 8) {
        idx = _mm256_add_epi32(idx, step);
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 gt = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
        best = _mm256_blendv_ps(best, v, gt);
        best_idx = _mm256_blendv_epi8(best_idx, idx, _mm256_castps_si256(gt));
    }
    alignas(32) float vals[8];
    alignas(32) int32_t idxs[8];
    _mm256_store_ps(vals, best);
    _mm256_store_si256(reinterpret_cast<__m256i *>(idxs), best_idx);
    float m = vals[0];
    int32_t at = idxs[0];
    for (int k = 1; k < 8; k++) {
        if (vals[k] > m || (vals[k] == m && idxs[k] < at)) {
            m = vals[k];
            at = idxs[k];
        }
    }
    for (; i < n; i++) {
        if (x[i] > m) {
            m = x[i];
            at = i;
        }
    }
    return at;
}
#else
int32_t argmax(const float * x, int32_t n) {
    return static_cast<int32_t>(std::max_element(x, x + n) - x);
}
#endif

} // namespace

JNI_FN(jlong, samplerCreate)(JNIEnv * env, jclass, jlong model_h, jfloat temperature, jint top_k, jfloat top_p, jfloat min_p,
                            jint penalty_last_n, jfloat penalty_repeat, jfloat penalty_frequency, jfloat penalty_presence,
                            jint seed, jbyteArray jgrammar, jbyteArray jroot, jobjectArray jtrigger_patterns,
                            jintArray jtrigger_tokens, jbyteArray jprefill) {
    return guarded<jlong>(env, 0, [&]() -> jlong {
        if (model_h == 0) throw java_error(JavaError::InvalidArgument, "null model handle");
        auto * m = from_handle<model_handle>(model_h);
        require_finite("temperature", temperature);
        require_finite("top_p", top_p);
        require_finite("min_p", min_p);
        require_finite("repeat penalty", penalty_repeat);
        require_finite("frequency penalty", penalty_frequency);
        require_finite("presence penalty", penalty_presence);
        require_range("penalty_last_n", penalty_last_n, -1, 1 << 20);
        if (penalty_repeat <= 0.0f) throw java_error(JavaError::InvalidArgument, "repeat penalty must be > 0 (1 disables it)");

        auto handle = std::make_unique<sampler_handle>();
        handle->n_vocab = m->n_vocab();
        handle->chain.reset(llama_sampler_chain_init(llama_sampler_chain_default_params()));
        llama_sampler * chain = handle->chain.get();

        bool has_grammar = false;
        const std::string grammar = to_string(env, jgrammar, &has_grammar);
        if (has_grammar) {
            const std::string root = jroot == nullptr ? std::string("root") : to_string(env, jroot);
            std::vector<std::string> patterns;
            const jsize n_patterns = jtrigger_patterns == nullptr ? 0 : env->GetArrayLength(jtrigger_patterns);
            for (jsize i = 0; i < n_patterns; i++) {
                jbyteArray p = static_cast<jbyteArray>(env->GetObjectArrayElement(jtrigger_patterns, i));
                bool present = false;
                patterns.push_back(to_string(env, p, &present));
                env->DeleteLocalRef(p);
                if (!present) throw java_error(JavaError::InvalidArgument, "null grammar trigger pattern");
            }
            std::vector<llama_token> tokens;
            if (jtrigger_tokens != nullptr) {
                tokens.resize(static_cast<size_t>(env->GetArrayLength(jtrigger_tokens)));
                env->GetIntArrayRegion(jtrigger_tokens, 0, static_cast<jsize>(tokens.size()), tokens.data());
            }
            for (llama_token t : tokens) require_range("grammar trigger token", t, 0, handle->n_vocab - 1);
            clear_thread_errors();
            llama_sampler * g = init_grammar(m->vocab(), grammar, root, patterns, tokens);
            if (g == nullptr) {
                throw java_error(JavaError::Grammar, "GBNF grammar does not parse" +
                                                         (thread_errors().empty() ? std::string() : ": " + thread_errors()));
            }
            llama_sampler_chain_add(chain, g); // the chain owns it from here
            handle->grammar = g;
            bool has_prefill = false;
            const std::string prefill = to_string(env, jprefill, &has_prefill);
            if (has_prefill && !prefill.empty()) {
                // A lazy grammar starts at its trigger, never at the prompt's tail.
                if (!patterns.empty() || !tokens.empty()) {
                    throw java_error(JavaError::InvalidArgument, "a lazy grammar (with triggers) takes no prefill text");
                }
                handle->grammar_prefill = prefill_tokens(m->vocab(), prefill);
                accept_prefill(handle.get());
            }
        }
        if (penalty_last_n != 0 && (penalty_repeat != 1.0f || penalty_frequency != 0.0f || penalty_presence != 0.0f)) {
            llama_sampler_chain_add(chain, llama_sampler_init_penalties(handle->n_vocab, penalty_last_n, penalty_repeat,
                                                                        penalty_frequency, penalty_presence));
        }
        if (temperature <= 0.0f) {
            llama_sampler_chain_add(chain, llama_sampler_init_greedy());
            handle->greedy_only = llama_sampler_chain_n(chain) == 1;
        } else {
            if (top_k > 0)     llama_sampler_chain_add(chain, llama_sampler_init_top_k(top_k));
            if (top_p < 1.0f)  llama_sampler_chain_add(chain, llama_sampler_init_top_p(top_p, 1));
            if (min_p > 0.0f)  llama_sampler_chain_add(chain, llama_sampler_init_min_p(min_p, 1));
            llama_sampler_chain_add(chain, llama_sampler_init_temp(temperature));
            llama_sampler_chain_add(chain, llama_sampler_init_dist(static_cast<uint32_t>(seed)));
        }
        return to_handle(handle.release());
    });
}

namespace {

// The chosen token from the row at `index` of the context's last decode; `row` receives the raw
// logits it was picked from (what logprobs are computed over).
llama_token sample_row(JNIEnv *, sampler_handle * s, jlong context_h, jint index, const float ** row) {
    if (context_h == 0) throw java_error(JavaError::InvalidArgument, "null context handle");
    auto * c = from_handle<context_handle>(context_h);
    if (llama_vocab_n_tokens(llama_model_get_vocab(c->model)) != s->n_vocab) {
        throw java_error(JavaError::InvalidArgument, "sampler and context belong to models with different vocabularies");
    }
    llama_context * ctx = c->context.get();
    if (s->greedy_only && c->backend_sampling && row == nullptr) {
        // The argmax already ran in the graph on the output layer's device: no scan of the row here.
        // (A request for logprobs passes `row`: it needs the row, and takes the argmax of it here.)
        const llama_token t = llama_get_sampled_token_ith(ctx, index);
        if (t != LLAMA_TOKEN_NULL) return t;
    }
    // With backend sampling, the sequence must have been out of graph sampling in that decode (its raw
    // row is then copied back); otherwise the decode's logits.
    require_row_copied(c, index);
    const float * logits = llama_get_logits_ith(ctx, index);
    if (logits == nullptr) {
        throw java_error(JavaError::InvalidArgument, "no logits for batch index " + std::to_string(index) +
                                                         ": that token was not marked as an output in the last decode");
    }
    if (row != nullptr) *row = logits;
    if (s->greedy_only) {
        // What the greedy sampler picks (the first highest logit), without filling a candidate
        // array of the whole vocabulary first: on a 128k vocabulary that costs more than 3% of a
        // fast GPU's time per token.
        return argmax(logits, s->n_vocab);
    }
    // llama_sampler_sample would take the backend's token for this row: apply the chain to the row
    // as it does otherwise (its candidates are copies, so `logits` stays the model's raw output).
    auto & cur = s->candidates;
    cur.resize(static_cast<size_t>(s->n_vocab));
    for (llama_token t = 0; t < s->n_vocab; t++) cur[static_cast<size_t>(t)] = llama_token_data{t, logits[t], 0.0f};
    llama_token_data_array cur_p = {cur.data(), cur.size(), -1, false};
    clear_thread_errors();
    llama_sampler_apply(s->chain.get(), &cur_p);
    if (cur_p.selected < 0 || cur_p.selected >= static_cast<int64_t>(cur_p.size)) {
        throw java_error(JavaError::Llama, "the sampler chain selected no token" +
                                               (thread_errors().empty() ? std::string() : ": " + thread_errors()));
    }
    const llama_token token = cur_p.data[cur_p.selected].id;
    llama_sampler_accept(s->chain.get(), token);
    return token;
}

struct ranked {
    float logit;
    int32_t id;
};

// Natural-log probabilities under the softmax of the raw logits (before penalties, grammar and
// temperature, as llama.cpp's server reports them with post_sampling_probs off): the chosen token's
// into lp[0], and the `top_n` most likely tokens, best first (ties: lower id first, the greedy
// sampler's pick), into ids[1..] and lp[1..]. Two passes: the max with a small sorted top list, then
// the sum of exp(x - max) in double, so that 128k terms lose no precision.
void logprobs_of(const float * x, int32_t n, llama_token chosen, int32_t top_n, int32_t * ids, float * lp) {
    ranked top[MAX_TOP_LOGPROBS];
    int32_t kept = 0;
    float max = x[0];
    for (int32_t i = 0; i < n; i++) {
        const float v = x[i];
        if (v > max) max = v;
        if (kept == top_n && (top_n == 0 || !(v > top[kept - 1].logit))) continue; // equal: a lower id holds it
        int32_t at = kept < top_n ? kept++ : top_n - 1;
        while (at > 0 && top[at - 1].logit < v) {
            top[at] = top[at - 1];
            at--;
        }
        top[at] = {v, i};
    }
    double sum = 0.0;
    for (int32_t i = 0; i < n; i++) sum += std::exp(static_cast<double>(x[i]) - max);
    const double log_z = static_cast<double>(max) + std::log(sum);
    ids[0] = chosen;
    lp[0] = static_cast<float>(static_cast<double>(x[chosen]) - log_z);
    for (int32_t k = 0; k < kept; k++) {
        ids[1 + k] = top[k].id;
        lp[1 + k] = static_cast<float>(static_cast<double>(top[k].logit) - log_z);
    }
}

// The greedy tokens of several rows, split across the context's CPU threadpool: its workers computed
// the CPU part of the graph and are still polling for work, so handing them a one-node graph costs
// no thread start or wake-up, and no extra threads compete with them for the cores. With 32 sequences
// on a 128k vocabulary one thread's scans take about a tenth of a fast GPU's step.
struct greedy_job {
    const float * const * rows;
    const int32_t * slots;  // where each row's token goes in `tokens`
    llama_token * tokens;
    int32_t n_rows;
    int32_t n_vocab;
};

void greedy_task(ggml_tensor *, const ggml_tensor *, int ith, int nth, void * userdata) {
    auto * job = static_cast<greedy_job *>(userdata);
    for (int32_t r = ith; r < job->n_rows; r += nth) {
        job->tokens[job->slots[r]] = argmax(job->rows[r], job->n_vocab);
    }
}

void greedy_on_threadpool(context_handle * c, greedy_job & job) {
    const int n_threads = std::min<int>(job.n_rows, llama_n_threads(c->context.get()));
    if (c->threadpool == nullptr || n_threads < 2) {
        greedy_task(nullptr, nullptr, 0, 1, &job);
        return;
    }
    // a graph of one custom node; its tensors only carry the node (the rows travel in the job)
    alignas(64) static thread_local uint8_t mem[16 * 1024];
    ggml_init_params params = {sizeof(mem), mem, /*no_alloc=*/true};
    ggml_context * gctx = ggml_init(params);
    if (gctx == nullptr) {
        greedy_task(nullptr, nullptr, 0, 1, &job);
        return;
    }
    float unused[1] = {0.0f};
    ggml_tensor * a = ggml_new_tensor_1d(gctx, GGML_TYPE_F32, 1);
    a->data = unused;
    ggml_tensor * node = ggml_map_custom1(gctx, a, greedy_task, n_threads, &job);
    node->data = unused; // written by nobody: greedy_task writes the job's tokens
    ggml_cgraph * graph = ggml_new_graph_custom(gctx, 4, false);
    ggml_build_forward_expand(graph, node);
    ggml_cplan plan = ggml_graph_plan(graph, n_threads, c->threadpool);
    const bool planned = plan.work_size == 0;
    const ggml_status status = planned ? ggml_graph_compute(graph, &plan) : GGML_STATUS_FAILED;
    ggml_free(gctx);
    if (status != GGML_STATUS_SUCCESS) {
        greedy_task(nullptr, nullptr, 0, 1, &job); // the same tokens, on this thread
    }
}

} // namespace

JNI_FN(jint, samplerSample)(JNIEnv * env, jclass, jlong h, jlong context_h, jint index) {
    return guarded<jint>(env, -1, [&]() -> jint {
        return sample_row(env, sampler_of(h), context_h, index, nullptr);
    });
}

JNI_FN(void, samplerGreedyTokens)(JNIEnv * env, jclass, jlong context_h, jintArray jindices, jintArray jtokens) {
    guarded_void(env, [&]() {
        if (context_h == 0) throw java_error(JavaError::InvalidArgument, "null context handle");
        if (jindices == nullptr || jtokens == nullptr) throw java_error(JavaError::InvalidArgument, "null index or token array");
        auto * c = from_handle<context_handle>(context_h);
        const jsize n = env->GetArrayLength(jindices);
        if (env->GetArrayLength(jtokens) < n) {
            throw java_error(JavaError::InvalidArgument, "the token array is shorter than the index array");
        }
        llama_context * ctx = c->context.get();
        const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(c->model));
        std::vector<jint> indices(static_cast<size_t>(n));
        env->GetIntArrayRegion(jindices, 0, n, indices.data());
        std::vector<llama_token> tokens(static_cast<size_t>(n), LLAMA_TOKEN_NULL);
        std::vector<const float *> rows;
        std::vector<int32_t> row_of; // which index each scanned row answers
        for (jsize i = 0; i < n; i++) {
            if (c->backend_sampling) {
                // as samplerSample: the graph's argmax when this row's sequence has a backend sampler
                tokens[static_cast<size_t>(i)] = llama_get_sampled_token_ith(ctx, indices[static_cast<size_t>(i)]);
                if (tokens[static_cast<size_t>(i)] != LLAMA_TOKEN_NULL) continue;
            }
            require_row_copied(c, indices[static_cast<size_t>(i)]);
            const float * row = llama_get_logits_ith(ctx, indices[static_cast<size_t>(i)]);
            if (row == nullptr) {
                throw java_error(JavaError::InvalidArgument, "no logits for batch index " +
                    std::to_string(indices[static_cast<size_t>(i)]) + ": that token was not marked as an output in the last decode");
            }
            rows.push_back(row);
            row_of.push_back(static_cast<int32_t>(i));
        }
        if (!rows.empty()) {
            greedy_job job{rows.data(), row_of.data(), tokens.data(), static_cast<int32_t>(rows.size()), n_vocab};
            greedy_on_threadpool(c, job);
        }
        env->SetIntArrayRegion(jtokens, 0, n, tokens.data());
    });
}

JNI_FN(jboolean, samplerIsGreedy)(JNIEnv * env, jclass, jlong h) {
    return guarded<jboolean>(env, JNI_FALSE, [&]() -> jboolean { return sampler_of(h)->greedy_only ? JNI_TRUE : JNI_FALSE; });
}

JNI_FN(jint, samplerSampleLogprobs)(JNIEnv * env, jclass, jlong h, jlong context_h, jint index, jintArray jids,
                                    jfloatArray jlogprobs) {
    return guarded<jint>(env, -1, [&]() -> jint {
        sampler_handle * s = sampler_of(h);
        if (jids == nullptr || jlogprobs == nullptr) throw java_error(JavaError::InvalidArgument, "null logprob arrays");
        const jsize slots = env->GetArrayLength(jids);
        if (slots != env->GetArrayLength(jlogprobs)) {
            throw java_error(JavaError::InvalidArgument, "logprob id and value arrays differ in length");
        }
        require_range("top logprobs", slots - 1, 0, MAX_TOP_LOGPROBS);
        const float * row = nullptr;
        const llama_token token = sample_row(env, s, context_h, index, &row);
        const int32_t top_n = std::min<int32_t>(slots - 1, s->n_vocab);
        int32_t ids[MAX_TOP_LOGPROBS + 1];
        float lp[MAX_TOP_LOGPROBS + 1];
        logprobs_of(row, s->n_vocab, token, top_n, ids, lp);
        env->SetIntArrayRegion(jids, 0, 1 + top_n, ids);
        env->SetFloatArrayRegion(jlogprobs, 0, 1 + top_n, lp);
        return token;
    });
}

JNI_FN(void, samplerAccept)(JNIEnv * env, jclass, jlong h, jint token) {
    guarded_void(env, [&]() {
        sampler_handle * s = sampler_of(h);
        require_range("token id", token, 0, s->n_vocab - 1);
        llama_sampler_accept(s->chain.get(), token);
    });
}

JNI_FN(void, samplerReset)(JNIEnv * env, jclass, jlong h) {
    guarded_void(env, [&]() {
        sampler_handle * s = sampler_of(h);
        llama_sampler_reset(s->chain.get());
        if (s->grammar != nullptr) accept_prefill(s); // the prompt still holds the prefill text
    });
}

JNI_FN(void, samplerFree)(JNIEnv * env, jclass, jlong h) {
    guarded_void(env, [&]() { delete from_handle<sampler_handle>(h); });
}
