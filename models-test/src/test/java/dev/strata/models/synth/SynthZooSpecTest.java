package dev.strata.models.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.gguf.GgufValue;
import dev.strata.memory.gguf.GgufValueType;
import dev.strata.models.synth.arch.ModelSpec;
import dev.strata.models.synth.arch.TensorSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The zoo's shapes against the published checkpoints, without llama.cpp. */
class SynthZooSpecTest {

    /**
     * The key numbers of each shape and its parameter count. The counts are the checkpoints' own
     * (safetensors totals, as the model cards give them) except where noted: Gemma 2 borrows a
     * vocabulary 6144 tokens larger (9,241,705,984 + 6144 x 3584); Gemma 3 is the text model alone,
     * which no card states (the card's 27.4B has the SigLIP vision tower, about 0.42B); MiniLM has
     * no pooler in GGUF (22,713,216 - 384 x 385).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // name,            arch,      layers, embd, heads, kv, vocab,  experts, used, parameters
            "llama3-8b,         llama,     32,     4096, 32,    8,  128256, 0,   0, 8030261248",
            "llama3-70b,        llama,     80,     8192, 64,    8,  128256, 0,   0, 70553706496",
            "mistral-7b-v0.3,   llama,     32,     4096, 32,    8,  32768,  0,   0, 7248023552",
            "mixtral-8x7b,      llama,     32,     4096, 32,    8,  32000,  8,   2, 46702792704",
            "qwen2.5-7b,        qwen2,     28,     3584, 28,    4,  152064, 0,   0, 7615616512",
            "qwen2.5-32b,       qwen2,     64,     5120, 40,    8,  152064, 0,   0, 32763876352",
            "qwen3-8b,          qwen3,     36,     4096, 32,    8,  151936, 0,   0, 8190735360",
            "qwen3-30b-a3b,     qwen3moe,  48,     2048, 32,    4,  151936, 128, 8, 30532122624",
            "gemma-2-9b,        gemma2,    42,     3584, 16,    8,  262144, 0,   0, 9263726080",
            "gemma-3-27b,       gemma3,    62,     5376, 32,    16, 262208, 0,   0, 27009346304",
            "phi-3-mini-4k,     phi3,      32,     3072, 32,    32, 32064,  0,   0, 3821079552",
            "deepseek-v2-lite,  deepseek2, 27,     2048, 16,    1,  102400, 64,  6, 15706484224",
            "gpt-oss-20b,       gpt-oss,   24,     2880, 64,    8,  201088, 32,  4, 20914757184",
            "all-minilm-l6-v2,  bert,      6,      384,  12,    12, 30522,  0,   0, 22565376",
    })
    void shapesHaveTheCheckpointsNumbers(String name, String arch, int layers, int embd, int heads, int kvHeads,
                                         int vocab, int experts, int used, long parameters) {
        ModelSpec s = Zoo.named(name);
        assertThat(s.architecture()).isEqualTo(arch);
        assertThat(List.of(s.blockCount(), s.embeddingLength(), s.headCount(), s.headCountKv(), s.vocabSize(),
                s.expertCount(), s.expertUsedCount())).containsExactly(layers, embd, heads, kvHeads, vocab, experts, used);
        assertThat(s.parameterCount()).isEqualTo(parameters);
    }

    @Test
    void everyShapeIsListedOnceAndFoundByName() {
        List<String> names = Zoo.all().stream().map(ModelSpec::name).toList();
        assertThat(names).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(12);
        names.forEach(n -> assertThat(Zoo.named(n).name()).isEqualTo(n));
        assertThatThrownBy(() -> Zoo.named("llama-4")).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("gpt-oss-20b");
    }

    /** llama.cpp's get_key rejects a key of another GGUF type, so sizes must be UINT32 and floats FLOAT32. */
    @Test
    void hyperparametersHaveTheTypesLlamaCppDemands() {
        for (ModelSpec s : Zoo.all()) {
            s.metadata().forEach((key, value) -> {
                GgufValueType expected = expectedType(key);
                assertThat(value.type()).as(s.name() + " " + key).isEqualTo(expected);
            });
        }
    }

    private static GgufValueType expectedType(String key) {
        String k = key.substring(key.indexOf('.') + 1);
        if (k.endsWith("epsilon") || k.contains("freq_base") || k.contains("softcapping") || k.endsWith("scaling.factor")
                || k.endsWith("yarn_log_multiplier") || k.endsWith("weights_scale")) {
            return GgufValueType.FLOAT32;
        }
        if (k.equals("rope.scaling.type")) {
            return GgufValueType.STRING;
        }
        if (k.equals("attention.causal")) {
            return GgufValueType.BOOL;
        }
        return GgufValueType.UINT32;
    }

    /** MiniLM is the one zoo shape with a real GGUF at hand: the spec must have its keys and tensors. */
    @Test
    void miniLmHasTheKeysAndTensorsOfTheRealFile() throws IOException {
        GgufFile real = GgufFile.read(SynthTestModels.shared("all-MiniLM-L6-v2-Q8_0.gguf"));
        ModelSpec spec = Zoo.miniLmL6();

        Map<String, GgufValue> realHparams = real.metadata().entrySet().stream()
                .filter(e -> e.getKey().startsWith("bert.") || e.getKey().equals("tokenizer.ggml.token_type_count"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(spec.metadata()).isEqualTo(realHparams);

        Map<String, List<Long>> realTensors = real.tensors().stream()
                .collect(Collectors.toMap(GgufTensorInfo::name, GgufTensorInfo::dims));
        Map<String, List<Long>> specTensors = spec.tensors().stream()
                .collect(Collectors.toMap(TensorSpec::name, TensorSpec::dims));
        assertThat(specTensors).isEqualTo(realTensors);
    }
}
