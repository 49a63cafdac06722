package dev.strata.llama;

/**
 * The JNI surface of {@code libstrata}: every native method of Strata's bridge, and nothing else.
 *
 * <p>Handles are raw pointers as {@code long}; only the owning classes ({@link LlamaModel},
 * {@link LlamaContext}, {@link Sampler}) call these, after checking that their handle is open.
 * Text crosses as UTF-8 {@code byte[]} rather than {@code String} so that JNI's modified UTF-8
 * never mangles supplementary characters or NUL bytes. Every method catches C++ exceptions at the
 * boundary and rethrows them as {@link LlamaException} subclasses.
 */
final class LlamaNative {
    private LlamaNative() {}

    // --- backend ---------------------------------------------------------------------------
    /** llama_backend_init, log routing into {@link NativeLog}, ggml abort hook. Idempotent. */
    static native void backendInit();
    /** The variant compiled into the library: "cpu" or "cuda". */
    static native String variant();
    /** {@code llama_version()}, for example "0.5.0". */
    static native String llamaVersion();
    /** {@code ggml_version()}, for example "0.25.1". */
    static native String ggmlVersion();
    static native String systemInfo();
    /** glibc's {@code malloc_trim(0)}: whether pages went back to the system; false elsewhere. */
    static native boolean releaseFreedMemory();
    static native String[] deviceNames();
    static native String[] deviceDescriptions();
    /** ggml_backend_dev_type per device: 0 CPU, 1 GPU, 2 IGPU, 3 ACCEL, other values as given. */
    static native int[] deviceTypes();
    /** Two entries per device: free bytes, total bytes, as ggml reports them now. */
    static native long[] deviceMemory();

    // --- model -----------------------------------------------------------------------------
    static native long modelLoad(byte[] path, int nGpuLayers, int splitMode, int mainGpu, float[] tensorSplit,
                                 String[] overridePatterns, String[] overrideDevices, int loadMode,
                                 boolean vocabOnly, boolean noAlloc, LoadProgressListener progress);
    static native void modelFree(long model);
    /** Integer facts, in the order of {@link ModelInfo#fromNative}. */
    static native long[] modelFacts(long model);
    /** Metadata string by key, null when absent. */
    static native byte[] modelMeta(long model, byte[] key);
    static native byte[] modelDescription(long model);
    static native byte[] modelChatTemplate(long model);
    static native int[] tokenize(long model, byte[] text, boolean addSpecial, boolean parseSpecial);
    static native byte[] detokenize(long model, int[] tokens, boolean removeSpecial, boolean unparseSpecial);
    static native byte[] tokenPiece(long model, int token, boolean special);
    static native boolean tokenIsEndOfGeneration(long model, int token);
    /** Chat template applied through llama.cpp's common library (Jinja). */
    static native byte[] applyChatTemplate(long model, byte[][] roles, byte[][] contents, boolean addAssistant,
                                           byte[] templateOverride);

    // --- context ---------------------------------------------------------------------------
    static native long contextCreate(long model, int nCtx, int nBatch, int nUbatch, int nSeqMax, int nThreads,
                                     int nThreadsBatch, int flashAttention, int typeK, int typeV,
                                     boolean embeddings, int pooling, boolean kvUnified, boolean offloadKqv,
                                     boolean swaFull, boolean backendSampling);
    static native void contextFree(long context);
    /** n_ctx, n_batch, n_ubatch, n_seq_max, pooling type, n_vocab, n_embd (actual values). */
    static native int[] contextFacts(long context);
    /** Raw llama_decode result; arrays hold n entries each, outputs as 0/1. */
    static native int decode(long context, int[] tokens, int[] positions, int[] seqIds, byte[] outputs, int n);

    /** Attaches (a fresh) or detaches a sequence's greedy backend sampler; see {@link LlamaContext#sampleInGraph}. */
    static native void sampleInGraph(long context, int sequence, boolean on);

    /** Decodes since creation whose compute graph llama.cpp reused (llama_perf_context's n_reused). */
    static native int graphsReused(long context);
    static native void setAbort(long context, boolean abort);
    /** Buffer type names and device names, two entries per buffer type. */
    static native String[] memoryBreakdownNames(long context);
    /** model, context, compute bytes: three entries per buffer type, same order as the names. */
    static native long[] memoryBreakdownBytes(long context);
    static native boolean seqRemove(long context, int seqId, int p0, int p1);
    static native void seqCopy(long context, int src, int dst, int p0, int p1);
    static native void seqKeep(long context, int seqId);
    static native int seqPosMax(long context, int seqId);
    static native byte[] seqStateSave(long context, int seqId);
    static native boolean seqStateRestore(long context, int seqId, byte[] state);
    static native void memoryClear(long context);
    static native float[] logits(long context, int index);
    static native float[] embeddings(long context, int index);
    static native float[] sequenceEmbeddings(long context, int seqId);

    // --- sampler ---------------------------------------------------------------------------
    /**
     * Trigger patterns (UTF-8 regexes) or tokens make the grammar lazy; null or empty arrays keep it
     * eager. {@code grammarPrefill} (null = none) is text the prompt already ends with, fed to an eager
     * grammar before the first sampled token.
     */
    static native long samplerCreate(long model, float temperature, int topK, float topP, float minP,
                                     int penaltyLastN, float penaltyRepeat, float penaltyFrequency,
                                     float penaltyPresence, int seed, byte[] grammar, byte[] grammarRoot,
                                     byte[][] triggerPatterns, int[] triggerTokens, byte[] grammarPrefill);
    static native int samplerSample(long sampler, long context, int index);
    /**
     * Samples as {@link #samplerSample} and writes log-probabilities of the raw logits row: the chosen
     * token's id and logprob at [0], then the {@code ids.length - 1} (0 to 20) most likely tokens, best first.
     */
    static native int samplerSampleLogprobs(long sampler, long context, int index, int[] ids, float[] logprobs);
    /**
     * The greedy token of each row at {@code indices} of the context's last decode, into {@code tokens}:
     * the graph's argmax for rows with a backend sampler, else scans split across the context's CPU threads.
     */
    static native void samplerGreedyTokens(long context, int[] indices, int[] tokens);
    /** Whether the chain is the greedy sampler alone (what {@link #samplerGreedyTokens} picks). */
    static native boolean samplerIsGreedy(long sampler);
    static native void samplerAccept(long sampler, int token);
    static native void samplerReset(long sampler);
    static native void samplerFree(long sampler);

    // --- planned loading: failure details and the forced allocation failure -----------------
    /** llama.cpp's error lines logged on the calling thread since the bridge last cleared them, UTF-8. */
    static native byte[] threadErrors();
    /**
     * Test hook: the next {@code count} model loads (0 disarms) fail as an allocation failure of
     * {@code requestedBytes}, on the first GPU when the load asks for GPU layers, else on the CPU.
     */
    static native void testFailNextModelLoads(int count, long requestedBytes);

    // --- test hooks ------------------------------------------------------------------------
    /** Triggers ggml's abort path (GGML_ABORT) on purpose; must surface as {@link NativeAbortException}. */
    static native void testTriggerGgmlAbort();

    /** A generation loop timed inside C++; see {@link TestHooks#timeGeneration}. */
    static native long[] testTimeGeneration(long context, int tokens, int mode);

    /** llama-batched-bench's loop timed inside C++; see {@link TestHooks#timeBatched}. */
    static native long[] testTimeBatched(long context, int streams, int prompt, int gen, boolean llamaThreads);

    // --- chat (common/chat.h): one JSON document in, one out -------------------------------
    /**
     * Applies a conversation to the model's chat template (or {@code templateOverride}, Jinja source).
     * Request fields (OpenAI-compatible): messages, tools, tool_choice ("auto"|"none"|"required"),
     * parallel_tool_calls, json_schema (object) or grammar (GBNF), reasoning_format
     * ("none"|"auto"|"deepseek"|"deepseek-legacy"), add_generation_prompt, enable_thinking,
     * chat_template_kwargs. Result fields: prompt, format, format_name, grammar, grammar_lazy,
     * grammar_triggers [{type, value}], trigger_patterns, trigger_tokens (sampler-ready),
     * preserved_tokens, additional_stops, generation_prompt, supports_thinking, thinking_start_tag,
     * thinking_end_tags, parser (serialized PEG parser for {@link #chatParse}).
     */
    static native byte[] chatApply(long model, byte[] requestJson, byte[] templateOverride);
    /**
     * Parses generated text into {role, content, reasoning_content, tool_calls [{id, name, arguments}]}.
     * Parameter fields: format, reasoning_format, generation_prompt, parser, parse_tool_calls.
     */
    static native byte[] chatParse(byte[] text, boolean isPartial, byte[] parserParamsJson);
    /** GBNF grammar (root rule "root") accepting exactly the JSON that the schema describes. */
    static native byte[] jsonSchemaToGrammar(byte[] schemaJson);
}
