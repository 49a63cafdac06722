// Model load (with the placement parameters), model facts, tokenizer and chat template.
#include "jni_support.h"
#include "handles.h"

#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "llama-ext.h"

#include <regex>

using namespace strata;

namespace strata {
bool forced_load_failure(bool on_gpu); // backend.cpp: LlamaBackend.testHooks()
}


namespace {

struct progress_bridge {
    JNIEnv * env;
    jobject listener;
    jmethodID method;
    bool cancelled = false;
};

bool on_progress(float progress, void * user_data) {
    auto * bridge = static_cast<progress_bridge *>(user_data);
    if (bridge->env->ExceptionCheck()) {
        bridge->cancelled = true;
        return false;
    }
    jboolean go_on = bridge->env->CallBooleanMethod(bridge->listener, bridge->method, static_cast<jfloat>(progress));
    if (bridge->env->ExceptionCheck() || !go_on) {
        bridge->cancelled = true;
        return false;
    }
    return true;
}

ggml_backend_buffer_type_t buffer_type_for(const std::string & device) {
    ggml_backend_dev_t dev = ggml_backend_dev_by_name(device.c_str());
    if (dev == nullptr) {
        std::string known;
        for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
            if (!known.empty()) known += ", ";
            known += ggml_backend_dev_name(ggml_backend_dev_get(i));
        }
        throw java_error(JavaError::InvalidArgument,
            "tensor override names device '" + device + "', which this library does not have (devices: " + known + ")");
    }
    return ggml_backend_dev_buffer_type(dev);
}

size_t gpu_device_count() {
    size_t n = 0;
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
        auto t = ggml_backend_dev_type(ggml_backend_dev_get(i));
        if (t == GGML_BACKEND_DEVICE_TYPE_GPU || t == GGML_BACKEND_DEVICE_TYPE_IGPU) n++;
    }
    return n;
}

void require_token(const model_handle * m, jint token) {
    require_range("token id", token, 0, static_cast<long long>(m->n_vocab()) - 1);
}

model_handle * model_of(jlong h) {
    if (h == 0) throw java_error(JavaError::InvalidArgument, "null model handle");
    return from_handle<model_handle>(h);
}

} // namespace

JNI_FN(jlong, modelLoad)(JNIEnv * env, jclass, jbyteArray jpath, jint n_gpu_layers, jint split_mode, jint main_gpu,
                        jfloatArray jtensor_split, jobjectArray jpatterns, jobjectArray jdevices, jint load_mode,
                        jboolean vocab_only, jboolean no_alloc, jobject jprogress) {
    return guarded<jlong>(env, 0, [&]() -> jlong {
        const std::string path = to_string(env, jpath);
        llama_model_params params = llama_model_default_params();

        require_range("n_gpu_layers", n_gpu_layers, -1, INT32_MAX);
        require_range("split_mode", split_mode, LLAMA_SPLIT_MODE_NONE, LLAMA_SPLIT_MODE_TENSOR);
        require_range("load_mode", load_mode, LLAMA_LOAD_MODE_NONE, LLAMA_LOAD_MODE_DIRECT_IO);
        const size_t gpus = gpu_device_count();
        require_range("main_gpu", main_gpu, 0, gpus == 0 ? 0 : static_cast<long long>(gpus) - 1);
        params.n_gpu_layers = n_gpu_layers;
        params.split_mode   = static_cast<llama_split_mode>(split_mode);
        params.main_gpu     = main_gpu;
        // A dry run reads no tensor data, and llama.cpp asserts (GGML_ASSERT(!ml.no_alloc)) when it
        // would map the file for device buffers anyway; its own fit does the same.
        params.load_mode    = no_alloc ? LLAMA_LOAD_MODE_NONE : static_cast<llama_load_mode>(load_mode);
        params.vocab_only   = vocab_only;
        params.no_alloc     = no_alloc;

        // llama.cpp reads llama_max_devices() floats from tensor_split, so pad to that length.
        std::vector<float> split(llama_max_devices(), 0.0f);
        if (jtensor_split != nullptr) {
            const jsize n = env->GetArrayLength(jtensor_split);
            require_range("tensor_split length", n, 0, static_cast<long long>(split.size()));
            env->GetFloatArrayRegion(jtensor_split, 0, n, split.data());
            for (jsize i = 0; i < n; i++) {
                if (!(split[i] >= 0.0f) || split[i] > 1e9f) {
                    throw java_error(JavaError::InvalidArgument, "tensor_split[" + std::to_string(i) + "] must be a finite value >= 0");
                }
            }
            params.tensor_split = split.data();
        }

        const auto patterns = to_strings(env, jpatterns);
        const auto devices  = to_strings(env, jdevices);
        if (patterns.size() != devices.size()) {
            throw java_error(JavaError::InvalidArgument, "tensor override patterns and devices differ in length");
        }
        if (patterns.size() >= llama_max_tensor_buft_overrides()) {
            throw java_error(JavaError::InvalidArgument, "at most " + std::to_string(llama_max_tensor_buft_overrides() - 1) + " tensor overrides");
        }
        std::vector<llama_model_tensor_buft_override> overrides;
        for (size_t i = 0; i < patterns.size(); i++) {
            try {
                std::regex check(patterns[i]); // llama.cpp compiles it too, but fails with a vaguer message
            } catch (const std::regex_error & e) {
                throw java_error(JavaError::InvalidArgument, "tensor override pattern '" + patterns[i] + "' is not a valid regex: " + e.what());
            }
            overrides.push_back({patterns[i].c_str(), buffer_type_for(devices[i])});
        }
        overrides.push_back({nullptr, nullptr});
        if (patterns.size() > 0) params.tensor_buft_overrides = overrides.data();

        progress_bridge bridge{env, jprogress, nullptr};
        if (jprogress != nullptr) {
            jclass cls = env->GetObjectClass(jprogress);
            bridge.method = env->GetMethodID(cls, "onProgress", "(F)Z");
            env->DeleteLocalRef(cls);
            if (bridge.method == nullptr) return 0;
            params.progress_callback = on_progress;
            params.progress_callback_user_data = &bridge;
        }

        clear_thread_errors();
        // The test hook fails loads that allocate; one that asks for GPU layers or a GPU override
        // reports the GPU, as a real cudaMalloc failure would.
        bool wants_gpu = n_gpu_layers != 0;
        for (const auto & d : devices) wants_gpu = wants_gpu || d.rfind("CPU", 0) != 0;
        llama_model * raw = !vocab_only && !no_alloc && forced_load_failure(wants_gpu) ? nullptr
            : llama_model_load_from_file(path.c_str(), params);
        if (env->ExceptionCheck()) {
            if (raw) llama_model_free(raw);
            return 0; // the listener's own exception goes to the caller
        }
        if (raw == nullptr) {
            const std::string why = thread_errors();
            if (bridge.cancelled) throw java_error(JavaError::ModelLoad, "model load of " + path + " cancelled by the progress listener");
            const std::string msg = "llama.cpp could not load " + path + (why.empty() ? std::string() : ": " + why);
            if (why.find("ggml abort") != std::string::npos) throw java_error(JavaError::NativeAbort, msg);
            if (why.find("unknown model architecture") != std::string::npos) throw java_error(JavaError::UnknownArchitecture, msg);
            if (why.find("allocate") != std::string::npos || why.find("out of memory") != std::string::npos) {
                throw java_error(JavaError::AllocationFailed, msg);
            }
            if (why.find("gguf") != std::string::npos || why.find("file bounds") != std::string::npos ||
                why.find("failed to read") != std::string::npos || why.find("corrupt") != std::string::npos) {
                throw java_error(JavaError::CorruptModel, msg);
            }
            throw java_error(JavaError::ModelLoad, msg);
        }
        auto * handle = new model_handle();
        handle->model.reset(raw);
        handle->vocab_only = vocab_only;
        return to_handle(handle);
    });
}

JNI_FN(void, modelFree)(JNIEnv * env, jclass, jlong h) {
    guarded_void(env, [&]() {
        delete from_handle<model_handle>(h);
        // a process that loads and unloads models would otherwise keep the freed host buffers resident
        release_freed_heap();
    });
}

JNI_FN(jlongArray, modelFacts)(JNIEnv * env, jclass, jlong h) {
    return guarded<jlongArray>(env, nullptr, [&]() {
        const model_handle * mh = model_of(h);
        const llama_model * m = mh->model.get();
        const llama_vocab * v = llama_model_get_vocab(m);
        const bool hp = !mh->vocab_only;
        const jlong facts[] = {
            hp ? llama_model_n_layer(m) : 0, hp ? llama_model_n_embd(m) : 0, hp ? llama_model_n_ctx_train(m) : 0,
            llama_vocab_n_tokens(v), hp ? llama_model_n_head(m) : 0, hp ? llama_model_n_head_kv(m) : 0,
            static_cast<jlong>(llama_model_n_params(m)), static_cast<jlong>(llama_model_size(m)),
            llama_model_has_encoder(m) ? 1 : 0, llama_model_has_decoder(m) ? 1 : 0, hp ? llama_model_n_swa(m) : 0,
            llama_model_is_recurrent(m) ? 1 : 0, hp ? llama_model_n_expert(m) : 0,
            llama_vocab_bos(v), llama_vocab_eos(v),
        };
        const jsize n = static_cast<jsize>(sizeof(facts) / sizeof(facts[0]));
        jlongArray out = env->NewLongArray(n);
        if (out) env->SetLongArrayRegion(out, 0, n, facts);
        return out;
    });
}

JNI_FN(jbyteArray, modelMeta)(JNIEnv * env, jclass, jlong h, jbyteArray jkey) {
    return guarded<jbyteArray>(env, nullptr, [&]() -> jbyteArray {
        const llama_model * m = model_of(h)->model.get();
        const std::string key = to_string(env, jkey);
        int32_t n = llama_model_meta_val_str(m, key.c_str(), nullptr, 0);
        if (n < 0) return nullptr;
        std::string buf(static_cast<size_t>(n) + 1, '\0');
        llama_model_meta_val_str(m, key.c_str(), &buf[0], buf.size());
        buf.resize(static_cast<size_t>(n));
        return to_bytes(env, buf);
    });
}

JNI_FN(jbyteArray, modelDescription)(JNIEnv * env, jclass, jlong h) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        char buf[256];
        int32_t n = llama_model_desc(model_of(h)->model.get(), buf, sizeof(buf));
        return to_bytes(env, std::string(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1)));
    });
}

JNI_FN(jbyteArray, modelChatTemplate)(JNIEnv * env, jclass, jlong h) {
    return guarded<jbyteArray>(env, nullptr, [&]() -> jbyteArray {
        const char * t = llama_model_chat_template(model_of(h)->model.get(), nullptr);
        return t == nullptr ? nullptr : to_bytes(env, t);
    });
}

JNI_FN(jintArray, tokenize)(JNIEnv * env, jclass, jlong h, jbyteArray jtext, jboolean add_special, jboolean parse_special) {
    return guarded<jintArray>(env, nullptr, [&]() {
        const model_handle * m = model_of(h);
        const std::string text = to_string(env, jtext);
        if (text.size() > static_cast<size_t>(INT32_MAX / 2)) {
            throw java_error(JavaError::InvalidArgument, "text of " + std::to_string(text.size()) + " bytes is too long to tokenize");
        }
        std::vector<llama_token> tokens(text.size() + 8);
        int32_t n = llama_tokenize(m->vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                                   static_cast<int32_t>(tokens.size()), add_special, parse_special);
        if (n == INT32_MIN) throw java_error(JavaError::InvalidArgument, "tokenization overflowed int32");
        if (n < 0) {
            tokens.resize(static_cast<size_t>(-n));
            n = llama_tokenize(m->vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(),
                               static_cast<int32_t>(tokens.size()), add_special, parse_special);
            if (n < 0) throw java_error(JavaError::Llama, "llama_tokenize failed twice");
        }
        jintArray out = env->NewIntArray(n);
        if (out && n > 0) env->SetIntArrayRegion(out, 0, n, tokens.data());
        return out;
    });
}

JNI_FN(jbyteArray, detokenize)(JNIEnv * env, jclass, jlong h, jintArray jtokens, jboolean remove_special, jboolean unparse_special) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        const model_handle * m = model_of(h);
        const jsize n = env->GetArrayLength(jtokens);
        std::vector<llama_token> tokens(static_cast<size_t>(n));
        if (n > 0) env->GetIntArrayRegion(jtokens, 0, n, tokens.data());
        for (llama_token t : tokens) require_token(m, t);
        std::string text(static_cast<size_t>(n) * 8 + 16, '\0');
        int32_t len = llama_detokenize(m->vocab(), tokens.data(), n, &text[0], static_cast<int32_t>(text.size()),
                                       remove_special, unparse_special);
        if (len < 0) {
            text.resize(static_cast<size_t>(-len));
            len = llama_detokenize(m->vocab(), tokens.data(), n, &text[0], static_cast<int32_t>(text.size()),
                                   remove_special, unparse_special);
            if (len < 0) throw java_error(JavaError::Llama, "llama_detokenize failed twice");
        }
        text.resize(static_cast<size_t>(len));
        return to_bytes(env, text);
    });
}

JNI_FN(jbyteArray, tokenPiece)(JNIEnv * env, jclass, jlong h, jint token, jboolean special) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        const model_handle * m = model_of(h);
        require_token(m, token);
        std::string piece(64, '\0');
        int32_t n = llama_token_to_piece(m->vocab(), token, &piece[0], static_cast<int32_t>(piece.size()), 0, special);
        if (n < 0) {
            piece.resize(static_cast<size_t>(-n));
            n = llama_token_to_piece(m->vocab(), token, &piece[0], static_cast<int32_t>(piece.size()), 0, special);
        }
        piece.resize(static_cast<size_t>(std::max(n, 0)));
        return to_bytes(env, piece);
    });
}

JNI_FN(jboolean, tokenIsEndOfGeneration)(JNIEnv * env, jclass, jlong h, jint token) {
    return guarded<jboolean>(env, JNI_FALSE, [&]() -> jboolean {
        const model_handle * m = model_of(h);
        require_token(m, token);
        return llama_vocab_is_eog(m->vocab(), token) ? JNI_TRUE : JNI_FALSE;
    });
}

JNI_FN(jbyteArray, applyChatTemplate)(JNIEnv * env, jclass, jlong h, jobjectArray jroles, jobjectArray jcontents,
                                     jboolean add_assistant, jbyteArray joverride) {
    return guarded<jbyteArray>(env, nullptr, [&]() {
        model_handle * m = model_of(h);
        const jsize n = env->GetArrayLength(jroles);
        if (n != env->GetArrayLength(jcontents)) throw java_error(JavaError::InvalidArgument, "roles and contents differ in length");
        common_chat_templates_inputs inputs;
        inputs.use_jinja = true;
        inputs.add_generation_prompt = add_assistant;
        for (jsize i = 0; i < n; i++) {
            jbyteArray role    = static_cast<jbyteArray>(env->GetObjectArrayElement(jroles, i));
            jbyteArray content = static_cast<jbyteArray>(env->GetObjectArrayElement(jcontents, i));
            common_chat_msg msg;
            msg.role    = to_string(env, role);
            msg.content = to_string(env, content);
            env->DeleteLocalRef(role);
            env->DeleteLocalRef(content);
            inputs.messages.push_back(std::move(msg));
        }
        bool has_override = false;
        const std::string override_src = to_string(env, joverride, &has_override);
        try {
            if (has_override) {
                auto tmpls = common_chat_templates_init(m->model.get(), override_src);
                return to_bytes(env, common_chat_templates_apply(tmpls.get(), inputs).prompt);
            }
            std::lock_guard<std::mutex> lock(m->templates_mutex);
            if (!m->templates) m->templates = common_chat_templates_init(m->model.get(), "");
            return to_bytes(env, common_chat_templates_apply(m->templates.get(), inputs).prompt);
        } catch (const java_error &) {
            throw;
        } catch (const std::exception & e) {
            throw java_error(JavaError::ChatTemplate, std::string("chat template failed: ") + e.what());
        }
    });
}
