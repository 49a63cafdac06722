package dev.strata.memory.shape;

import java.util.Map;
import java.util.Set;

/**
 * What differs between architectures in llama.cpp's hyperparameters and memory, for the ones
 * Strata models. Every other hyperparameter that sizes the KV cache is read the same way for all
 * architectures by {@code llama_model_base::load_hparams} (src/llama-model.cpp), so an architecture
 * missing here still gets an estimate, with a warning that its own rules are not known.
 *
 * <pre>{@code
 * ArchitectureRules.of("gemma2").swa();          // ALWAYS: window 4096 unless the file says, pattern 2
 * ArchitectureRules.of("bert").memory();         // NONE: no KV cache
 * ArchitectureRules.of("mamba").memory();        // RECURRENT
 * }</pre>
 *
 * @param name            {@code general.architecture}
 * @param known           whether llama.cpp v0.5.0 knows the architecture at all ({@code LLM_ARCH_NAMES})
 * @param modelled        whether Strata implements this architecture's own {@code load_arch_hparams} rules
 * @param memory          the memory {@code llama_model::create_memory} builds for it
 * @param swa             how the architecture decides its sliding-window layers
 * @param defaultWindow   n_swa when the file has no {@code attention.sliding_window}
 * @param defaultPattern  the n_pattern passed to {@code load_swa_pattern} when the file has no
 *                        {@code attention.sliding_window_pattern}
 * @param mla             whether it reads {@code attention.key_length_mla}/{@code value_length_mla}
 * @param tiesOutput      whether a missing {@code output.weight} makes llama.cpp reuse {@code token_embd}
 *                        ({@code TENSOR_DUPLICATED}); encoders have no LM head at all
 */
public record ArchitectureRules(String name, boolean known, boolean modelled, MemoryKind memory, SwaRule swa,
                                int defaultWindow, int defaultPattern, boolean mla, boolean tiesOutput) {

    /** How an architecture's {@code load_arch_hparams} sets its sliding window. */
    public enum SwaRule {
        /** No sliding window. */
        NONE,
        /** Always windowed (gemma2, gpt-oss): {@code swa_type = STANDARD}, then {@code load_swa_pattern}. */
        ALWAYS,
        /** Windowed only if the file has {@code attention.sliding_window} &gt; 0 (gemma3). */
        IF_WINDOW_KEY,
        /** The file may have a window but llama.cpp ignores it (phi3: "Phi SWA is currently disabled"). */
        IGNORED
    }

    private static final ArchitectureRules PLAIN = new ArchitectureRules("", true, true, MemoryKind.KV_CACHE,
            SwaRule.NONE, 0, 0, false, true);

    // src/models/<arch>.cpp, load_arch_hparams of each.
    private static final Map<String, ArchitectureRules> MODELLED = Map.ofEntries(
            Map.entry("llama", PLAIN.named("llama")),           // Mistral and Mixtral convert to llama; their window is not read
            Map.entry("qwen2", PLAIN.named("qwen2")),
            Map.entry("qwen3", PLAIN.named("qwen3")),
            Map.entry("qwen3moe", PLAIN.named("qwen3moe")),
            Map.entry("phi3", new ArchitectureRules("phi3", true, true, MemoryKind.KV_CACHE, SwaRule.IGNORED, 0, 0, false, true)),
            Map.entry("gemma2", new ArchitectureRules("gemma2", true, true, MemoryKind.KV_CACHE, SwaRule.ALWAYS, 4096, 2, false, true)),
            Map.entry("gemma3", new ArchitectureRules("gemma3", true, true, MemoryKind.KV_CACHE, SwaRule.IF_WINDOW_KEY, 0, 6, false, true)),
            Map.entry("gpt-oss", new ArchitectureRules("gpt-oss", true, true, MemoryKind.KV_CACHE, SwaRule.ALWAYS, 0, 2, false, true)),
            Map.entry("deepseek2", new ArchitectureRules("deepseek2", true, true, MemoryKind.KV_CACHE, SwaRule.NONE, 0, 0, true, true)),
            Map.entry("bert", new ArchitectureRules("bert", true, true, MemoryKind.NONE, SwaRule.NONE, 0, 0, false, false)),
            // recurrent state only; a layer is recurrent in the hybrids iff its head_count_kv is 0
            Map.entry("mamba", stateOnly("mamba", MemoryKind.RECURRENT)),
            Map.entry("mamba2", stateOnly("mamba2", MemoryKind.RECURRENT)),
            Map.entry("jamba", stateOnly("jamba", MemoryKind.HYBRID)),
            Map.entry("granitehybrid", stateOnly("granitehybrid", MemoryKind.HYBRID)));

    // llama-model.cpp, create_memory: the first case ("res = nullptr").
    private static final Set<String> NO_MEMORY = Set.of("bert", "jina-bert-v2", "jina-bert-v3", "nomic-bert",
            "nomic-bert-moe", "neo-bert", "eurobert", "wavtokenizer-dec", "modern-bert", "gemma-embedding", "dream",
            "llada", "llada-moe", "rnd1");
    // llama-arch.cpp, llm_arch_is_recurrent.
    private static final Set<String> RECURRENT = Set.of("mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7");
    // llama-arch.cpp, llm_arch_is_hybrid (deepseek4 has a case of its own in create_memory).
    private static final Set<String> HYBRID = Set.of("jamba", "falcon-h1", "plamo2", "granitehybrid", "lfm2", "lfm2moe",
            "nemotron_h", "nemotron_h_moe", "qwen3next", "kimi-linear", "bailingmoe3", "kimi-k3", "qwen35", "qwen35moe",
            "qwen4exp", "minimax-01");
    // create_memory: architectures with a cache type of their own, or layers that reuse another layer's cache.
    private static final Set<String> OTHER = Set.of("minimax-m3", "glm-dsa", "deepseek32", "hy_v4", "dots3note",
            "deepseek4", "dflash", "gemma3n", "gemma4", "gemma4-assistant");
    // llama-arch.cpp, LLM_ARCH_NAMES (v0.5.0), less the ones above.
    private static final Set<String> KNOWN = Set.of("clip", "llama4", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox",
            "mpt", "baichuan", "starcoder", "refact", "bloom", "stablelm", "qwen", "qwen2moe", "qwen2vl", "qwen3vl",
            "qwen3vlmoe", "phi2", "phimoe", "plamo", "plamo3", "codeshell", "orion", "internlm2", "minicpm", "minicpm3",
            "gemma", "starcoder2", "maple", "xverse", "command-r", "cohere2", "cohere2moe", "dbrx", "olmo", "olmo2",
            "olmoe", "muse-glimmer", "openelm", "arctic", "deepseek", "deepseek2-ocr", "chatglm", "glm4", "glm4moe",
            "bitnet", "t5", "t5encoder", "jais", "jais2", "nemotron", "exaone", "exaone4", "exaone-moe", "granite",
            "granitemoe", "graniteswitch", "granite_swa", "chameleon", "plm", "bailingmoe", "bailingmoe2", "dots1",
            "arcee", "afmoe", "laguna", "ernie4_5", "ernie4_5-moe", "hunyuan-moe", "hunyuan-dense", "hunyuan_vl", "hy_v3",
            "smollm3", "smallthinker", "seed_oss", "grovemoe", "apertus", "hrm_text", "minimax-m2", "cogvlm",
            "pangu-embedded", "mistral3", "eagle3", "mistral4", "paddleocr", "mimo2", "step35", "spark2_5", "llama-embed",
            "maincoder", "talkie", "mellum", "nanbeige", "qwen3tts", "pockettts");

    private static ArchitectureRules stateOnly(String name, MemoryKind memory) {
        return new ArchitectureRules(name, true, true, memory, SwaRule.NONE, 0, 0, false, true);
    }

    /**
     * Whether Strata sizes this architecture's memory exactly: a KV cache (or none) always; recurrent and
     * hybrid memories only for the architectures whose state widths and recurrent layers are modelled
     * (mamba, mamba2, jamba, granitehybrid).
     */
    public boolean memoryEstimable() {
        return memory.estimable() || (modelled && (memory == MemoryKind.RECURRENT || memory == MemoryKind.HYBRID));
    }

    private ArchitectureRules named(String newName) {
        return new ArchitectureRules(newName, known, modelled, memory, swa, defaultWindow, defaultPattern, mla, tiesOutput);
    }

    /** The rules for {@code arch}; never null: an unmodelled architecture gets llama.cpp's generic ones. */
    public static ArchitectureRules of(String arch) {
        ArchitectureRules modelled = MODELLED.get(arch);
        if (modelled != null) {
            return modelled;
        }
        MemoryKind memory = NO_MEMORY.contains(arch) ? MemoryKind.NONE
                : RECURRENT.contains(arch) ? MemoryKind.RECURRENT
                : HYBRID.contains(arch) ? MemoryKind.HYBRID
                : OTHER.contains(arch) ? MemoryKind.OTHER
                : MemoryKind.KV_CACHE;
        boolean known = memory != MemoryKind.KV_CACHE || KNOWN.contains(arch);
        return new ArchitectureRules(arch, known, false, memory, SwaRule.NONE, 0, 0, false, memory != MemoryKind.NONE);
    }
}
