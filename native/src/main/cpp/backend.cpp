// Backend-wide entry points: library load, llama.cpp's log routed into Java, the ggml abort hook,
// versions and the device list.
#include "jni_support.h"

#include "llama.h"
#include "ggml-backend.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace strata {
bool init_java_classes(JNIEnv * env);
void set_java_vm(JavaVM * vm);
void record_thread_error(const std::string & line);
bool forced_load_failure(bool on_gpu);
}

using namespace strata;

namespace {

jclass    g_log_class  = nullptr;
jmethodID g_log_method = nullptr;
std::once_flag g_backend_once;

// llama.cpp logs in fragments (GGML_LOG_LEVEL_CONT continues the previous line); Java gets whole lines.
thread_local std::string   t_line;
thread_local ggml_log_level t_line_level = GGML_LOG_LEVEL_INFO;

void emit_line(ggml_log_level level, const std::string & line) {
    if (level == GGML_LOG_LEVEL_ERROR) {
        record_thread_error(line);
    }
    JavaVM * vm = java_vm();
    if (vm == nullptr || g_log_method == nullptr) return;
    JNIEnv * env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_8) == JNI_EDETACHED) {
        // ggml worker threads are not Java threads; attach as daemon so they never block JVM exit.
        // They stay attached: ggml's thread pool lives as long as the context that made it.
        if (vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void **>(&env), nullptr) != JNI_OK) return;
    }
    // A pending exception (e.g. from a progress callback) must survive the log call.
    jthrowable pending = env->ExceptionOccurred();
    if (pending) env->ExceptionClear();
    jbyteArray bytes = to_bytes(env, line);
    env->CallStaticVoidMethod(g_log_class, g_log_method, static_cast<jint>(level), bytes);
    if (env->ExceptionCheck()) env->ExceptionClear(); // logging must never fail the caller
    env->DeleteLocalRef(bytes);
    if (pending) {
        env->Throw(pending);
        env->DeleteLocalRef(pending);
    }
}

void log_callback(ggml_log_level level, const char * text, void * /*user_data*/) {
    if (text == nullptr) return;
    if (level != GGML_LOG_LEVEL_CONT) {
        if (!t_line.empty()) {
            emit_line(t_line_level, t_line);
            t_line.clear();
        }
        t_line_level = level;
    }
    for (const char * p = text; *p; p++) {
        if (*p == '\n') {
            if (!t_line.empty()) emit_line(t_line_level, t_line);
            t_line.clear();
        } else {
            t_line.push_back(*p);
        }
    }
}

[[noreturn]] void abort_hook(const char * message) {
    std::string msg = message == nullptr ? "ggml abort" : message;
    emit_line(GGML_LOG_LEVEL_ERROR, "ggml abort: " + msg);
    // Unwinds to the JNI boundary, where guarded() turns it into NativeAbortException. On x86-64
    // Linux ggml's C frames carry unwind tables, so this works for aborts on the calling thread;
    // an abort inside a ggml worker thread still ends the process (nothing can catch it there).
    throw ggml_abort_error(msg);
}

// Test hook (LlamaBackend.testHooks()): how many of the next model loads fail as if a buffer could
// not be allocated, and the size they report. Zero unless a test arms it, so production loads pay
// one atomic read.
std::atomic<int>       g_forced_load_failures{0};
std::atomic<long long> g_forced_load_bytes{0};

} // namespace

namespace strata {

// Takes one armed failure, if any, and logs the lines llama.cpp and ggml-cuda log for a real one
// (through the same log path, so they reach Java and this thread's error record alike). The load
// then reports failure exactly as llama_model_load_from_file's nullptr would.
bool forced_load_failure(bool on_gpu) {
    int n = g_forced_load_failures.load();
    while (n > 0 && !g_forced_load_failures.compare_exchange_weak(n, n - 1)) {}
    if (n <= 0) return false;
    const long long bytes = g_forced_load_bytes.load();
    std::string device = "CPU";
    if (on_gpu) {
        device = "CUDA0"; // a cpu build has no GPU device; the test pretends it has this one
        for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
            ggml_backend_dev_t d = ggml_backend_dev_get(i);
            if (ggml_backend_dev_type(d) == GGML_BACKEND_DEVICE_TYPE_GPU) { device = ggml_backend_dev_name(d); break; }
        }
        char line[200];
        std::snprintf(line, sizeof(line), "ggml_backend_cuda_buffer_type_alloc_buffer: allocating %.2f MiB on device 0: "
                      "cudaMalloc failed: out of memory (forced by Strata's test hook)", bytes / 1024.0 / 1024.0);
        emit_line(GGML_LOG_LEVEL_ERROR, line);
    }
    emit_line(GGML_LOG_LEVEL_ERROR, "alloc_tensor_range: failed to allocate " + device + " buffer of size " + std::to_string(bytes));
    emit_line(GGML_LOG_LEVEL_ERROR, "llama_model_load: error loading model: unable to allocate " + device + " buffer");
    return true;
}

} // namespace strata

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM * vm, void * /*reserved*/) {
    JNIEnv * env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    set_java_vm(vm);
    if (!init_java_classes(env)) return JNI_ERR;
    jclass log_class = env->FindClass("dev/strata/llama/NativeLog");
    if (log_class == nullptr) return JNI_ERR;
    g_log_class  = static_cast<jclass>(env->NewGlobalRef(log_class));
    g_log_method = env->GetStaticMethodID(g_log_class, "log", "(I[B)V");
    if (g_log_method == nullptr) return JNI_ERR;
    // Route logs before anything in llama.cpp can print to stderr.
    llama_log_set(log_callback, nullptr);
    ggml_set_abort_callback(abort_hook);
    return JNI_VERSION_1_8;
}


JNI_FN(void, backendInit)(JNIEnv * env, jclass) {
    guarded_void(env, [&]() {
        std::call_once(g_backend_once, []() { llama_backend_init(); });
    });
}

// glibc keeps freed heap pages mapped: its mmap threshold rises to the largest block freed so far, so
// the context buffers of a model loaded after an unload come from the heap, and the free pages of every
// thread's arena stay resident. malloc_trim(0) walks all arenas and hands whole free pages back. The soak
// (load and unload every 12 s) grew 328 -> 404 MiB RSS in 20 minutes without it; modelFree calls it.
bool strata::release_freed_heap() {
#if defined(__GLIBC__)
    return malloc_trim(0) == 1;
#else
    return false;
#endif
}

JNI_FN(jboolean, releaseFreedMemory)(JNIEnv * env, jclass) {
    return guarded<jboolean>(env, JNI_FALSE, [&]() -> jboolean { return release_freed_heap() ? JNI_TRUE : JNI_FALSE; });
}

JNI_FN(jstring, variant)(JNIEnv * env, jclass) { return to_jstring(env, STRATA_VARIANT); }
JNI_FN(jstring, llamaVersion)(JNIEnv * env, jclass) { return to_jstring(env, llama_version()); }
JNI_FN(jstring, ggmlVersion)(JNIEnv * env, jclass) { return to_jstring(env, ggml_version()); }
JNI_FN(jstring, systemInfo)(JNIEnv * env, jclass) { return to_jstring(env, llama_print_system_info()); }

JNI_FN(jobjectArray, deviceNames)(JNIEnv * env, jclass) {
    return guarded<jobjectArray>(env, nullptr, [&]() {
        std::vector<std::string> names;
        for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
            names.emplace_back(ggml_backend_dev_name(ggml_backend_dev_get(i)));
        }
        return to_string_array(env, names);
    });
}

JNI_FN(jobjectArray, deviceDescriptions)(JNIEnv * env, jclass) {
    return guarded<jobjectArray>(env, nullptr, [&]() {
        std::vector<std::string> names;
        for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
            const char * d = ggml_backend_dev_description(ggml_backend_dev_get(i));
            names.emplace_back(d == nullptr ? "" : d);
        }
        return to_string_array(env, names);
    });
}

JNI_FN(jintArray, deviceTypes)(JNIEnv * env, jclass) {
    return guarded<jintArray>(env, nullptr, [&]() {
        const size_t n = ggml_backend_dev_count();
        std::vector<jint> types(n);
        for (size_t i = 0; i < n; i++) types[i] = ggml_backend_dev_type(ggml_backend_dev_get(i));
        jintArray out = env->NewIntArray(static_cast<jsize>(n));
        if (out && n) env->SetIntArrayRegion(out, 0, static_cast<jsize>(n), types.data());
        return out;
    });
}

JNI_FN(jlongArray, deviceMemory)(JNIEnv * env, jclass) {
    return guarded<jlongArray>(env, nullptr, [&]() {
        const size_t n = ggml_backend_dev_count();
        std::vector<jlong> mem(2 * n);
        for (size_t i = 0; i < n; i++) {
            size_t free = 0, total = 0;
            ggml_backend_dev_memory(ggml_backend_dev_get(i), &free, &total);
            mem[2 * i] = static_cast<jlong>(free);
            mem[2 * i + 1] = static_cast<jlong>(total);
        }
        jlongArray out = env->NewLongArray(static_cast<jsize>(mem.size()));
        if (out && !mem.empty()) env->SetLongArrayRegion(out, 0, static_cast<jsize>(mem.size()), mem.data());
        return out;
    });
}

JNI_FN(void, testTriggerGgmlAbort)(JNIEnv * env, jclass) {
    guarded_void(env, []() { GGML_ABORT("strata test hook: deliberate abort"); });
}

JNI_FN(jbyteArray, threadErrors)(JNIEnv * env, jclass) {
    return guarded<jbyteArray>(env, nullptr, [&]() { return to_bytes(env, thread_errors()); });
}

JNI_FN(void, testFailNextModelLoads)(JNIEnv * env, jclass, jint count, jlong requested_bytes) {
    guarded_void(env, [&]() {
        require_range("count", count, 0, INT32_MAX);
        require_range("requested bytes", requested_bytes, 0, INT64_MAX);
        g_forced_load_bytes.store(requested_bytes);
        g_forced_load_failures.store(count);
    });
}
