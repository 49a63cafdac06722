#include "jni_support.h"

namespace strata {

namespace {

JavaVM * g_vm = nullptr;
jclass g_classes[static_cast<int>(JavaError::COUNT)] = {};

const char * class_name(JavaError kind) {
    switch (kind) {
        case JavaError::Llama:               return "dev/strata/llama/LlamaException";
        case JavaError::ModelLoad:           return "dev/strata/llama/ModelLoadException";
        case JavaError::UnknownArchitecture: return "dev/strata/llama/UnknownArchitectureException";
        case JavaError::AllocationFailed:    return "dev/strata/llama/AllocationFailedException";
        case JavaError::InvalidArgument:     return "java/lang/IllegalArgumentException";
        case JavaError::NativeAbort:         return "dev/strata/llama/NativeAbortException";
        case JavaError::Grammar:             return "dev/strata/llama/GrammarException";
        case JavaError::ChatTemplate:        return "dev/strata/llama/ChatTemplateException";
        case JavaError::CorruptModel:        return "dev/strata/llama/CorruptModelFileException";
        case JavaError::COUNT:               break;
    }
    return "java/lang/RuntimeException";
}

thread_local std::string t_errors;

} // namespace

bool init_java_classes(JNIEnv * env) {
    for (int i = 0; i < static_cast<int>(JavaError::COUNT); i++) {
        jclass local = env->FindClass(class_name(static_cast<JavaError>(i)));
        if (local == nullptr) {
            return false; // NoClassDefFoundError is pending; JNI_OnLoad fails loudly
        }
        g_classes[i] = static_cast<jclass>(env->NewGlobalRef(local));
        env->DeleteLocalRef(local);
    }
    return true;
}

void set_java_vm(JavaVM * vm) { g_vm = vm; }
JavaVM * java_vm() { return g_vm; }

void throw_java(JNIEnv * env, JavaError kind, const std::string & message) {
    if (env->ExceptionCheck()) {
        return; // a Java exception (from a callback) is already on its way; keep it
    }
    jclass cls = g_classes[static_cast<int>(kind)];
    if (cls == nullptr) {
        cls = env->FindClass("java/lang/RuntimeException");
    }
    env->ThrowNew(cls, message.c_str());
}

std::string to_string(JNIEnv * env, jbyteArray bytes, bool * present) {
    if (present) *present = bytes != nullptr;
    if (bytes == nullptr) {
        return std::string();
    }
    const jsize n = env->GetArrayLength(bytes);
    std::string s(static_cast<size_t>(n), '\0');
    if (n > 0) {
        env->GetByteArrayRegion(bytes, 0, n, reinterpret_cast<jbyte *>(&s[0]));
    }
    return s;
}

jbyteArray to_bytes(JNIEnv * env, const std::string & s) {
    jbyteArray out = env->NewByteArray(static_cast<jsize>(s.size()));
    if (out != nullptr && !s.empty()) {
        env->SetByteArrayRegion(out, 0, static_cast<jsize>(s.size()), reinterpret_cast<const jbyte *>(s.data()));
    }
    return out;
}

jstring to_jstring(JNIEnv * env, const char * s) {
    return env->NewStringUTF(s == nullptr ? "" : s);
}

jobjectArray to_string_array(JNIEnv * env, const std::vector<std::string> & values) {
    jclass string_class = env->FindClass("java/lang/String");
    jobjectArray out = env->NewObjectArray(static_cast<jsize>(values.size()), string_class, nullptr);
    for (size_t i = 0; out != nullptr && i < values.size(); i++) {
        jstring s = env->NewStringUTF(values[i].c_str());
        env->SetObjectArrayElement(out, static_cast<jsize>(i), s);
        env->DeleteLocalRef(s);
    }
    return out;
}

std::vector<std::string> to_strings(JNIEnv * env, jobjectArray array) {
    std::vector<std::string> out;
    if (array == nullptr) return out;
    const jsize n = env->GetArrayLength(array);
    for (jsize i = 0; i < n; i++) {
        jstring s = static_cast<jstring>(env->GetObjectArrayElement(array, i));
        if (s == nullptr) throw java_error(JavaError::InvalidArgument, "null element in string array");
        const char * chars = env->GetStringUTFChars(s, nullptr);
        out.emplace_back(chars);
        env->ReleaseStringUTFChars(s, chars);
        env->DeleteLocalRef(s);
    }
    return out;
}

void require_range(const char * what, long long value, long long lo, long long hi) {
    if (value < lo || value > hi) {
        throw java_error(JavaError::InvalidArgument,
            std::string(what) + " = " + std::to_string(value) + " is outside [" + std::to_string(lo) + ", " +
            std::to_string(hi) + "]");
    }
}

void clear_thread_errors() { t_errors.clear(); }
std::string thread_errors() { return t_errors; }

void record_thread_error(const std::string & line) {
    if (t_errors.size() < 4096) {
        if (!t_errors.empty()) t_errors += "; ";
        t_errors += line;
    }
}

} // namespace strata
