package dev.strata.models.explore;

import dev.strata.memory.estimate.*;
import dev.strata.memory.estimate.graph.*;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.shape.ModelShape;
import dev.strata.models.synth.*;
import dev.strata.models.synth.arch.ModelSpec;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaReplayTest {
    @TempDir Path dir;

    @Test
    void replay() throws Exception {
        String data = System.getProperty("cuda.data");
        if (data == null) return;
        String only = System.getProperty("probe.only", "");
        LlamaVocabs vocabs = LlamaVocabs.locate();
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        Zoo.all().forEach(s -> specs.put(s.name(), s));
        RandomShapes.of(new Random(7), 1).forEach(s -> specs.put(s.name().replace("-r0", "-v0"), s));
        Pattern p = Pattern.compile("CUDAPROBE (\\S+) ngl=(\\d+) ctx=(\\d+) ub=512 fa=(\\S+) CUDA_Host=(\\d+) CUDA0=(\\d+)");
        Map<String, ModelShape> shapes = new HashMap<>();
        int ok = 0, bad = 0;
        for (String line : Files.readAllLines(Path.of(data))) {
            Matcher m = p.matcher(line);
            if (!m.find()) continue;
            String name = m.group(1);
            if (!name.startsWith(only) || !specs.containsKey(name)) continue;
            ModelShape shape = shapes.computeIfAbsent(name, n -> {
                try {
                    Path f = dir.resolve(n + ".gguf");
                    SyntheticModels.write(f, specs.get(n), QuantMix.Q8_0, vocabs, DataMode.SPARSE, 1);
                    ModelShape s = ModelShape.of(GgufFile.read(f));
                    Files.delete(f);
                    return s;
                } catch (Exception e) { throw new RuntimeException(e); }
            });
            int ngl = Integer.parseInt(m.group(2));
            int ctx = Integer.parseInt(m.group(3));
            boolean fa = Boolean.parseBoolean(m.group(4));
            long host = Long.parseLong(m.group(5));
            long cuda = Long.parseLong(m.group(6));
            KvCacheParams kvp = KvCacheParams.defaults().withContext(ctx).withBatch(2048, 512)
                    .withFlashAttention(fa ? FlashAttention.ENABLED : FlashAttention.DISABLED);
            LayerAssignment a = LayerAssignment.llamaCpp(shape.layerCount(), ngl, List.of("CUDA0"), List.of(1f), List.of());
            KvCacheEstimate kv = KvCacheEstimate.of(shape, a, kvp);
            Map<String, Long> est = ComputeEstimate.buffers(shape, kvp, kv, a, List.of("CUDA0"));
            long ec = est.getOrDefault("CUDA0", 0L), eh = est.getOrDefault("CPU", 0L);
            boolean good = ec == cuda && eh == host;
            if (good) ok++; else bad++;
            System.out.printf(Locale.ROOT, "REPLAY %s %-16s ngl=%3d ctx=%5d fa=%-5s cuda %11d est %11d (%+.2f MiB)  host %10d est %10d (%+.2f MiB)%n",
                    good ? "OK " : "BAD", name, ngl, ctx, fa, cuda, ec, (ec - cuda) / 1048576.0, host, eh, (eh - host) / 1048576.0);
        }
        System.out.println("REPLAY ok " + ok + " bad " + bad);
    }
}
