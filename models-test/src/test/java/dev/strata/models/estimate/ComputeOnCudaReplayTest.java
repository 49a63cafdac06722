package dev.strata.models.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.memory.estimate.ComputeEstimate;
import dev.strata.memory.estimate.FlashAttention;
import dev.strata.memory.estimate.KvCacheEstimate;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.estimate.LayerAssignment;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.DataMode;
import dev.strata.models.synth.LlamaVocabs;
import dev.strata.models.synth.QuantMix;
import dev.strata.models.synth.RandomShapes;
import dev.strata.models.synth.SyntheticModels;
import dev.strata.models.synth.Zoo;
import dev.strata.models.synth.arch.ModelSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-device compute model against llama.cpp's CUDA dry runs recorded on the H100 (CI has no
 * GPU): src/test/resources/cuda/h100-dry-runs.txt holds CUDA0 and host compute buffers of the zoo
 * and eight random shapes (Q8_0; all, half and none of the layers on the GPU; contexts 512, 4096
 * and 32768; flash attention off and on), as {@code dev.strata.models.gpu.CudaComputeBuffers}
 * printed them on 2026-11-24. Every one must match to the byte on both buffers, the CUDA
 * backend's fusions of mixture-of-experts kernels (which keep tensors alive longer) and its
 * flash-attention kernel choice (none for BERT's 32-wide heads: that op runs on the CPU) included.
 */
class ComputeOnCudaReplayTest {
    private static final Pattern LINE = Pattern.compile(
            "CUDAPROBE (\\S+) ngl=(\\d+) ctx=(\\d+)(?: ub=\\d+)? fa=(\\S+).* CUDA_Host=(\\d+) CUDA0=(\\d+)");

    @TempDir
    Path dir;

    @Test
    void recordedH100DryRunsAreReplayedToTheByte() throws Exception {
        LlamaVocabs vocabs = LlamaVocabs.locate();
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        Zoo.all().forEach(s -> specs.put(s.name(), s));
        // recorded under their earlier names: the first random shape of each architecture, seed 7
        RandomShapes.of(new Random(7), 1).forEach(s -> specs.put(s.name().replace("-r0", "-v0"), s));
        Map<String, ModelShape> shapes = new HashMap<>();
        List<String> mismatches = new ArrayList<>();
        int exact = 0;
        int unmodelled = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/cuda/h100-dry-runs.txt"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = LINE.matcher(line);
                if (!m.find() || !specs.containsKey(m.group(1))) {
                    continue;
                }
                ModelSpec spec = specs.get(m.group(1));
                ModelShape shape = shapes.computeIfAbsent(spec.name(), n -> write(spec, vocabs));
                int ngl = Integer.parseInt(m.group(2));
                int ctx = Integer.parseInt(m.group(3));
                boolean flash = Boolean.parseBoolean(m.group(4));
                KvCacheParams params = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                        .withFlashAttention(flash ? FlashAttention.ENABLED : FlashAttention.DISABLED);
                LayerAssignment a = LayerAssignment.llamaCpp(shape.layerCount(), ngl, List.of("CUDA0"), List.of(1f), List.of());
                KvCacheEstimate kv = KvCacheEstimate.of(shape, a, params);
                Map<String, Long> est = ComputeEstimate.buffers(shape, params, kv, a, List.of("CUDA0"));
                long host = Long.parseLong(m.group(5));
                long cuda = Long.parseLong(m.group(6));
                boolean equal = est.get("CUDA0") == cuda && est.get("CPU") == host;
                boolean checked = true;
                String row = String.format(Locale.ROOT, "%s ngl=%d ctx=%d FA %s: CUDA0 %,d vs %,d (%+.2f MiB), host %,d vs %,d%s",
                        m.group(1), ngl, ctx, flash ? "on" : "off", est.get("CUDA0"), cuda, (est.get("CUDA0") - cuda) / 1048576.0,
                        est.get("CPU"), host, checked ? "" : " [not modelled]");
                System.out.println(row);
                if (!checked) {
                    unmodelled++;
                } else if (equal) {
                    exact++;
                } else {
                    mismatches.add(row);
                }
            }
        }
        System.out.println(exact + " exact, " + mismatches.size() + " different, " + unmodelled + " not modelled");
        assertThat(exact).isEqualTo(384);
        assertThat(mismatches).isEmpty();
    }

    private ModelShape write(ModelSpec spec, LlamaVocabs vocabs) {
        try {
            Path file = dir.resolve(spec.name() + ".gguf");
            SyntheticModels.write(file, spec, QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
            ModelShape shape = ModelShape.of(GgufFile.read(file));
            Files.delete(file);
            return shape;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
