package dev.strata.memory.estimate;

import dev.strata.memory.gguf.GgmlType;
import dev.strata.memory.gguf.GgufTensorInfo;
import dev.strata.memory.shape.ArchitectureRules;
import dev.strata.memory.shape.AttentionLayer;
import dev.strata.memory.shape.AttentionShape;
import dev.strata.memory.shape.LayerWeights;
import dev.strata.memory.shape.MemoryKind;
import dev.strata.memory.shape.ModelShape;
import dev.strata.memory.shape.RecurrentState;
import dev.strata.memory.shape.TensorNames;
import dev.strata.memory.shape.WeightTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test-only: model shapes built directly, so estimator tests state every tensor and layer they
 * depend on.
 *
 * <pre>{@code
 * ModelShape s = TestShapes.layers(4).tensor("blk.0.attn_q.weight", GgmlType.Q8_0, 320, 320).kv(2, 64).build();
 * }</pre>
 */
final class TestShapes {
    private final int layerCount;
    private final List<GgufTensorInfo> tensors = new ArrayList<>();
    private List<AttentionLayer> attention;
    private String arch = "llama";
    private MemoryKind memory = MemoryKind.KV_CACHE;
    private int window;
    private boolean mla;
    private int mtp;
    private boolean tied;
    private int trainContext = 4096;
    private int pooling = -1;

    private TestShapes(int layerCount) {
        this.layerCount = layerCount;
        this.attention = Collections.nCopies(layerCount, new AttentionLayer(1, 64, 64, false, true));
    }

    static TestShapes layers(int layerCount) {
        return new TestShapes(layerCount);
    }

    TestShapes tensor(String name, GgmlType type, long... dims) {
        tensors.add(GgufTensorInfo.of(name, type, 0, dims));
        return this;
    }

    /** The same tensor in every layer: {@code name} has a {@code %d} for the layer. */
    TestShapes everyLayer(String name, GgmlType type, long... dims) {
        for (int i = 0; i < layerCount; i++) {
            tensor(String.format(name, i), type, dims);
        }
        return this;
    }

    private RecurrentState state = RecurrentState.NONE;

    /** Every layer with {@code heads} KV heads of {@code headDim}, no sliding window. */
    TestShapes kv(int heads, int headDim) {
        attention = Collections.nCopies(layerCount, new AttentionLayer(heads, headDim, headDim, false, true));
        return this;
    }

    TestShapes attention(List<AttentionLayer> layers, int slidingWindow) {
        attention = List.copyOf(layers);
        window = slidingWindow;
        memory = slidingWindow > 0 ? MemoryKind.KV_CACHE_SWA : MemoryKind.KV_CACHE;
        return this;
    }

    /** Recurrent state of these widths on the layers flagged true; a flagged layer gets no KV cache. */
    TestShapes recurrent(long rWidth, long sWidth, boolean... layers) {
        state = new RecurrentState(rWidth, sWidth);
        List<AttentionLayer> out = new ArrayList<>(attention);
        for (int il = 0; il < layers.length; il++) {
            AttentionLayer a = out.get(il);
            out.set(il, new AttentionLayer(a.headCountKv(), a.headDimK(), a.headDimV(), a.slidingWindow(),
                    a.hasKv() && !layers[il], layers[il]));
        }
        attention = out;
        return this;
    }

    TestShapes mla() {
        mla = true;
        return this;
    }

    TestShapes memory(MemoryKind kind) {
        memory = kind;
        return this;
    }

    TestShapes arch(String name) {
        arch = name;
        return this;
    }

    /** The last {@code n} layers are multi-token prediction: not loaded, no cache. */
    TestShapes mtp(int n) {
        mtp = n;
        List<AttentionLayer> out = new ArrayList<>(attention);
        for (int il = layerCount - n; il < layerCount; il++) {
            AttentionLayer a = out.get(il);
            out.set(il, new AttentionLayer(a.headCountKv(), a.headDimK(), a.headDimV(), a.slidingWindow(), false));
        }
        attention = out;
        return this;
    }

    TestShapes tied() {
        tied = true;
        return this;
    }

    /** The file's {@code pooling_type} (llama_pooling_type: 1 mean, 2 CLS, ...). */
    TestShapes pooling(int type) {
        pooling = type;
        return this;
    }

    TestShapes trainContext(int tokens) {
        trainContext = tokens;
        return this;
    }

    ModelShape build() {
        List<WeightTensor> classified = new ArrayList<>();
        for (GgufTensorInfo info : tensors) {
            WeightTensor t = TensorNames.classify(info);
            boolean mtpLayer = t.layer() >= layerCount - mtp && info.name().startsWith("blk.");
            classified.add(new WeightTensor(t.info(), t.placement(), t.layer(), t.group(), t.copiedPerDevice(), !mtpLayer));
        }
        List<LayerWeights> layers = new ArrayList<>();
        for (int il = 0; il < layerCount; il++) {
            layers.add(new LayerWeights(il, 0, 0, 0, 0, 0, il < layerCount - mtp));
        }
        AttentionShape a = new AttentionShape(attention, memory, window, mla, mla ? 512 : 0, 64, true, state);
        return new ModelShape(arch, ArchitectureRules.of(arch), layerCount, mtp, 0, 0, trainContext, classified, layers,
                tied, a, List.of(), pooling);
    }
}
