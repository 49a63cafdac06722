// Shared JNI plumbing for Strata's bridge: cached exception classes, UTF-8 conversions, the
// boundary guard that turns every C++ exception into a Java one, and the thread-local record of
// llama.cpp's last error lines (so a failed load can say why).
#pragma once

#include <jni.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace strata {

// Java exception classes, cached once in JNI_OnLoad (Netty's habit: no FindClass on error paths).
enum class JavaError {
    Llama,              // dev.strata.llama.LlamaException
    ModelLoad,          // dev.strata.llama.ModelLoadException
    UnknownArchitecture,// dev.strata.llama.UnknownArchitectureException
    AllocationFailed,   // dev.strata.llama.AllocationFailedException
    InvalidArgument,    // java.lang.IllegalArgumentException
    NativeAbort,        // dev.strata.llama.NativeAbortException
    Grammar,            // dev.strata.llama.GrammarException
    ChatTemplate,       // dev.strata.llama.ChatTemplateException
    CorruptModel,       // dev.strata.llama.CorruptModelFileException
    COUNT
};

// A C++ exception that carries the Java class it should become.
class java_error : public std::runtime_error {
public:
    java_error(JavaError kind, const std::string & message) : std::runtime_error(message), kind_(kind) {}
    JavaError kind() const { return kind_; }
private:
    JavaError kind_;
};

// Thrown by the ggml abort hook instead of letting ggml call abort().
class ggml_abort_error : public std::runtime_error {
public:
    explicit ggml_abort_error(const std::string & message) : std::runtime_error(message) {}
};

void throw_java(JNIEnv * env, JavaError kind, const std::string & message);

// Runs body; any C++ exception becomes the matching Java exception. Returns fallback on failure.
template <typename T, typename F>
T guarded(JNIEnv * env, T fallback, F && body) {
    try {
        return body();
    } catch (const java_error & e) {
        throw_java(env, e.kind(), e.what());
    } catch (const ggml_abort_error & e) {
        throw_java(env, JavaError::NativeAbort, std::string("llama.cpp aborted: ") + e.what());
    } catch (const std::bad_alloc &) {
        throw_java(env, JavaError::AllocationFailed, "out of host memory inside llama.cpp (std::bad_alloc)");
    } catch (const std::exception & e) {
        throw_java(env, JavaError::Llama, e.what());
    } catch (...) {
        throw_java(env, JavaError::Llama, "unknown C++ exception in llama.cpp");
    }
    return fallback;
}

template <typename F>
void guarded_void(JNIEnv * env, F && body) {
    guarded<int>(env, 0, [&]() { body(); return 0; });
}

// Java byte[] (UTF-8) -> std::string; null -> empty with ok=false.
std::string to_string(JNIEnv * env, jbyteArray bytes, bool * present = nullptr);
jbyteArray to_bytes(JNIEnv * env, const std::string & s);
jstring to_jstring(JNIEnv * env, const char * s);
jobjectArray to_string_array(JNIEnv * env, const std::vector<std::string> & values);
std::vector<std::string> to_strings(JNIEnv * env, jobjectArray array);

// Throw if the value is outside [lo, hi]; message names the argument.
void require_range(const char * what, long long value, long long lo, long long hi);

// glibc's malloc_trim(0): hands free heap pages of every arena back to the system; false elsewhere.
bool release_freed_heap();

// llama.cpp's error lines logged on this thread since the last clear; a failed call reads them.
void clear_thread_errors();
std::string thread_errors();

JavaVM * java_vm();

} // namespace strata

// Declares the JNI entry point for a static native method of dev.strata.llama.LlamaNative.
#define JNI_FN(ret, name) extern "C" JNIEXPORT ret JNICALL Java_dev_strata_llama_LlamaNative_##name
