// Sampler chains: penalties, grammar, top-k, top-p, min-p, temperature, then a seeded draw
// (or greedy when temperature <= 0), in the order llama.cpp's common sampler uses.
#include "jni_support.h"
#include "handles.h"

#include <cmath>

using namespace strata;


namespace {

sampler_handle * sampler_of(jlong h) {
    if (h == 0) throw java_error(JavaError::InvalidArgument, "null sampler handle");
    return from_handle<sampler_handle>(h);
}

void require_finite(const char * what, float v) {
    if (!std::isfinite(v)) throw java_error(JavaError::InvalidArgument, std::string(what) + " must be finite");
}

} // namespace

JNI_FN(jlong, samplerCreate)(JNIEnv * env, jclass, jlong model_h, jfloat temperature, jint top_k, jfloat top_p, jfloat min_p,
                            jint penalty_last_n, jfloat penalty_repeat, jfloat penalty_frequency, jfloat penalty_presence,
                            jint seed, jbyteArray jgrammar, jbyteArray jroot) {
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
            clear_thread_errors();
            llama_sampler * g = llama_sampler_init_grammar(m->vocab(), grammar.c_str(), root.c_str());
            if (g == nullptr) {
                throw java_error(JavaError::Grammar, "GBNF grammar does not parse" +
                                                         (thread_errors().empty() ? std::string() : ": " + thread_errors()));
            }
            llama_sampler_chain_add(chain, g);
        }
        if (penalty_last_n != 0 && (penalty_repeat != 1.0f || penalty_frequency != 0.0f || penalty_presence != 0.0f)) {
            llama_sampler_chain_add(chain, llama_sampler_init_penalties(handle->n_vocab, penalty_last_n, penalty_repeat,
                                                                        penalty_frequency, penalty_presence));
        }
        if (temperature <= 0.0f) {
            llama_sampler_chain_add(chain, llama_sampler_init_greedy());
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

JNI_FN(jint, samplerSample)(JNIEnv * env, jclass, jlong h, jlong context_h, jint index) {
    return guarded<jint>(env, -1, [&]() -> jint {
        sampler_handle * s = sampler_of(h);
        if (context_h == 0) throw java_error(JavaError::InvalidArgument, "null context handle");
        auto * c = from_handle<context_handle>(context_h);
        if (llama_vocab_n_tokens(llama_model_get_vocab(c->model)) != s->n_vocab) {
            throw java_error(JavaError::InvalidArgument, "sampler and context belong to models with different vocabularies");
        }
        // llama_sampler_sample asserts on a missing row; ask first so the caller gets an exception.
        if (llama_get_logits_ith(c->context.get(), index) == nullptr) {
            throw java_error(JavaError::InvalidArgument, "no logits for batch index " + std::to_string(index) +
                                                             ": that token was not marked as an output in the last decode");
        }
        clear_thread_errors();
        return llama_sampler_sample(s->chain.get(), c->context.get(), index);
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
    guarded_void(env, [&]() { llama_sampler_reset(sampler_of(h)->chain.get()); });
}

JNI_FN(void, samplerFree)(JNIEnv * env, jclass, jlong h) {
    guarded_void(env, [&]() { delete from_handle<sampler_handle>(h); });
}
