package dev.strata.memory.shape;

import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.gguf.GgufValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link ModelShape} from a GGUF header; see {@link ModelShape#of(GgufFile)}. */
final class ShapeReader {
    /** llama.cpp's LLAMA_MAX_LAYERS and LLAMA_MAX_EXPERTS (src/llama-hparams.h). */
    static final int MAX_LAYERS = 512;
    static final int MAX_EXPERTS = 1024;

    private ShapeReader() {}

    /**
     * The file's {@code general.architecture}, or "" where it has none. Any other type is refused, as llama.cpp's
     * loader refuses it ("key general.architecture has wrong type"), rather than read as a missing key.
     */
    static String architecture(GgufFile gguf) {
        GgufValue v = gguf.find("general.architecture").orElse(null);
        if (v == null) {
            return "";
        }
        if (v instanceof GgufValue.StringValue s) {
            return s.value();
        }
        throw new ModelShapeException("general.architecture is " + v.type() + ", not a STRING: llama.cpp cannot"
                + " load this file; it was probably written by a broken converter");
    }

    static ModelShape read(GgufFile gguf) {
        List<String> warnings = new ArrayList<>();
        String arch = architecture(gguf);
        if (arch.isEmpty()) {
            warnings.add("no general.architecture: sizes come from tensor names alone");
        }
        ArchitectureRules rules = ArchitectureRules.of(arch);
        if (!rules.known()) {
            warnings.add("architecture '" + arch + "' is unknown to llama.cpp v0.5.0, which cannot load it; sizes come"
                    + " from tensor names (blk.N.*) and generic hyperparameters");
        } else if (!rules.modelled()) {
            warnings.add("architecture '" + arch + "' is not modelled: weights are exact, the KV cache uses llama.cpp's"
                    + " generic hyperparameters only (no sliding window, no MLA)");
        }
        if (!rules.memoryEstimable()) {
            warnings.add("the " + rules.memory() + " memory of '" + arch + "' is not estimated: unsupported for KV estimate");
        }
        Hparams hp = new Hparams(gguf, arch, warnings);

        List<WeightTensor> tensors = new ArrayList<>(gguf.tensors().size());
        int maxLayer = -1;
        Map<Integer, long[]> tensorKv = new HashMap<>();
        for (GgufTensorInfo info : gguf.tensors()) {
            WeightTensor t = TensorNames.classify(info);
            tensors.add(t);
            if (t.placement() == TensorPlacement.LAYER && info.name().startsWith("blk.")) {
                maxLayer = Math.max(maxLayer, t.layer());
                String suffix = info.name().substring(info.name().indexOf('.', 4) + 1);
                if (suffix.equals("attn_k.weight")) {
                    tensorKv.computeIfAbsent(t.layer(), k -> new long[2])[0] = info.dim(1);
                } else if (suffix.equals("attn_v.weight")) {
                    tensorKv.computeIfAbsent(t.layer(), k -> new long[2])[1] = info.dim(1);
                }
            }
        }

        int counted = maxLayer + 1;
        int layerCount = hp.uint("block_count").orElseGet(() -> {
            if (!arch.isEmpty()) {
                warnings.add(arch + ".block_count is missing; " + counted + " layers counted from tensor names");
            }
            return counted;
        });
        if (maxLayer >= layerCount) {
            warnings.add("tensors name layer " + maxLayer + " but block_count is " + layerCount
                    + "; their bytes are counted with the output layer");
        }
        // llama.cpp's load_hparams asserts these (an abort, not an error): refuse them first, typed
        if (layerCount < 1 || layerCount > MAX_LAYERS) {
            throw new ModelShapeException((arch.isEmpty() ? "" : arch + ".") + "block_count is " + layerCount + ": llama.cpp loads 1 to "
                    + MAX_LAYERS + " layers");
        }
        int mtp = hp.uint("nextn_predict_layers", 0);
        if (mtp > layerCount) {
            throw new ModelShapeException(arch + ".nextn_predict_layers " + mtp + " exceeds block_count " + layerCount);
        }
        int nLayer = layerCount - mtp;

        List<LayerWeights> layers = new ArrayList<>(layerCount);
        for (int il = 0; il < layerCount; il++) {
            layers.add(new LayerWeights(il, 0, 0, 0, 0, 0, il < nLayer));
        }
        for (int i = 0; i < tensors.size(); i++) {
            WeightTensor t = tensors.get(i);
            if (t.placement() != TensorPlacement.LAYER) {
                continue;
            }
            if (t.layer() >= layerCount) {
                tensors.set(i, new WeightTensor(t.info(), TensorPlacement.OUTPUT, -1, t.group(), false, true));
                continue;
            }
            if (t.layer() >= nLayer && t.info().name().startsWith("blk.")) {
                // "if (!ml.load_mtp) mtp_flags |= TENSOR_SKIP": the loader reads past these
                t = t.notLoaded();
                tensors.set(i, t);
            }
            layers.set(t.layer(), layers.get(t.layer()).plus(t.group(), t.bytes()));
        }
        if (mtp > 0) {
            warnings.add(mtp + " multi-token-prediction layer(s) are not loaded (llama.cpp's load_mtp is off)");
        }

        int experts = hp.uint("expert_count", 0);
        int[] used = hp.perLayer("expert_used_count", layerCount, new int[layerCount]);
        int expertsUsed = Arrays.stream(used).max().orElse(0);
        if (experts > MAX_EXPERTS || expertsUsed > experts || (experts > 0 && expertsUsed < 1)) {
            throw new ModelShapeException(arch + " has expert_count " + experts + " and expert_used_count "
                    + expertsUsed + ": llama.cpp needs 1 <= used <= count <= " + MAX_EXPERTS + " (or no experts)");
        }

        boolean hasOutput = tensors.stream().anyMatch(t -> t.name().equals("output.weight"));
        boolean hasEmbedding = tensors.stream().anyMatch(t -> t.name().equals("token_embd.weight"));
        boolean tied = !hasOutput && hasEmbedding && rules.tiesOutput();

        AttentionShape attention = AttentionReader.read(hp, rules, layerCount, mtp, tensorKv, warnings);
        return new ModelShape(arch, rules, layerCount, mtp, experts, expertsUsed, hp.uint("context_length", 0),
                tensors, layers, tied, attention, warnings, hp.uint("pooling_type", -1));
    }
}
