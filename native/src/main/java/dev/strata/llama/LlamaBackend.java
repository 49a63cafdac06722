package dev.strata.llama;

import dev.strata.llama.loader.NativeLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp as loaded into this JVM: which variant, which version, which devices. The entry point
 * of the bridge; models and contexts are made from it.
 *
 * <pre>{@code
 * LlamaBackend llama = LlamaBackend.get();
 * System.out.println(llama.variant() + " llama.cpp " + llama.llamaVersion());
 * llama.devices().forEach(System.out::println);
 * }</pre>
 *
 * <p>A native library is loaded once per class loader and cannot be unloaded, so this is the one
 * process-wide object in the bridge: the first {@link #get()} loads and initialises it, a failure is
 * remembered and rethrown (with the same suppressed causes) by later calls. Thread-safe.
 */
public final class LlamaBackend {
    private static final Object LOCK = new Object();
    private static LlamaBackend instance;
    private static NativeLibraryUnavailableException failure;

    private final NativeLoader.LoadedLibrary library;
    private final String llamaVersion;
    private final String ggmlVersion;
    private final String systemInfo;

    private LlamaBackend(NativeLoader.LoadedLibrary library) {
        this.library = library;
        LlamaNative.backendInit();
        this.llamaVersion = LlamaNative.llamaVersion();
        this.ggmlVersion = LlamaNative.ggmlVersion();
        // llama_print_system_info rebuilds one static string on every call: two threads calling it at
        // once read a torn (or freed) buffer. It never changes, so it is read once, here, under LOCK.
        this.systemInfo = LlamaNative.systemInfo();
        String compiled = LlamaNative.variant();
        if (!compiled.equals(library.variant().id())) {
            throw new NativeLibraryUnavailableException(
                    library.path() + " is the " + compiled + " build, but was loaded as " + library.variant().id());
        }
    }

    /**
     * Loads the native library (see {@link NativeLoader} for the properties that steer it) and
     * initialises llama.cpp's backends, once.
     *
     * @throws NativeLibraryUnavailableException when no variant loads; the cause of each attempt is suppressed in it
     */
    public static LlamaBackend get() {
        synchronized (LOCK) {
            if (instance != null) {
                return instance;
            }
            if (failure != null) {
                NativeLibraryUnavailableException again = new NativeLibraryUnavailableException(failure.getMessage());
                for (Throwable t : failure.getSuppressed()) {
                    again.addSuppressed(t);
                }
                throw again;
            }
            try {
                instance = new LlamaBackend(NativeLoader.fromEnvironment().load());
                return instance;
            } catch (NativeLibraryUnavailableException e) {
                failure = e;
                throw e;
            } catch (UnsatisfiedLinkError e) {
                failure = new NativeLibraryUnavailableException("libstrata loaded but its JNI symbols did not link: " + e.getMessage());
                failure.addSuppressed(e);
                throw failure;
            }
        }
    }

    public NativeVariant variant() {
        return library.variant();
    }

    /** The llama.cpp release compiled in, e.g. "0.5.0". */
    public String llamaVersion() {
        return llamaVersion;
    }

    /** The ggml release compiled in, e.g. "0.25.1". */
    public String ggmlVersion() {
        return ggmlVersion;
    }

    /** Where the loaded library file is. */
    public Path libraryPath() {
        return library.path();
    }

    /** Why this variant was chosen, in one sentence. */
    public String variantReason() {
        return library.reason();
    }

    /** The build's recorded facts: variant, llama.version, build.key, source, cuda.architectures. */
    public Map<String, String> buildProperties() {
        return library.properties();
    }

    /** llama.cpp's one-line summary of CPU features and backends. */
    public String systemInfo() {
        return systemInfo;
    }

    /**
     * Hands the C library's free heap pages back to the operating system (glibc's {@code malloc_trim(0)},
     * over every arena). llama.cpp frees a model's and a context's host buffers into the heap, where glibc
     * keeps them resident; a process that loads and unloads models grows its RSS without this. Freeing a
     * {@link LlamaModel} already does it; call it after closing contexts whose model stays loaded. It takes
     * milliseconds and is safe from any thread at any time.
     *
     * <pre>{@code
     * context.close();  // the model stays
     * LlamaBackend.get().releaseFreedMemory();
     * }</pre>
     *
     * @return whether any memory was returned; always false where malloc is not glibc's
     */
    public boolean releaseFreedMemory() {
        return LlamaNative.releaseFreedMemory();
    }

    /** Every ggml device, with its free and total memory as ggml reports them at this moment. */
    public List<BackendDevice> devices() {
        String[] names = LlamaNative.deviceNames();
        String[] descriptions = LlamaNative.deviceDescriptions();
        int[] types = LlamaNative.deviceTypes();
        long[] memory = LlamaNative.deviceMemory();
        List<BackendDevice> out = new ArrayList<>(names.length);
        for (int i = 0; i < names.length; i++) {
            out.add(new BackendDevice(i, names[i], descriptions[i], BackendDevice.Kind.fromGgml(types[i]),
                    memory[2 * i], memory[2 * i + 1]));
        }
        return List.copyOf(out);
    }

    /**
     * llama.cpp's error lines logged on the calling thread since the bridge's last model load,
     * context creation or decode on it, joined by "; "; empty when there were none. Says why a
     * decode returned {@link DecodeStatus#FATAL}.
     */
    public String lastErrorLines() {
        return new String(LlamaNative.threadErrors(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Hooks for tests that must provoke native failures; see {@link TestHooks}. */
    public TestHooks testHooks() {
        return new TestHooks();
    }

    @Override
    public String toString() {
        return "llama.cpp " + llamaVersion + " (ggml " + ggmlVersion + ", " + variant().id() + " variant)";
    }
}
