package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.MeasuredOverheads;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.DeviceBudget;
import dev.strata.memory.device.DeviceInventory;
import dev.strata.memory.device.ExplicitDeviceInventory;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.device.Inventory;
import dev.strata.memory.estimate.CpuRepack;
import dev.strata.memory.estimate.FlashAttention;
import dev.strata.memory.estimate.KvCacheParams;
import dev.strata.memory.gguf.GgufFile;
import dev.strata.memory.plan.DevicePlan;
import dev.strata.memory.plan.PlanDevice;
import dev.strata.memory.plan.PlanRefusal;
import dev.strata.memory.plan.PlanRequest;
import dev.strata.memory.plan.PlanResult;
import dev.strata.memory.plan.Placement;
import dev.strata.memory.plan.Planner;
import dev.strata.memory.shape.ModelShape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata plan}: where a model would go on these devices, and why. Reads only the GGUF
 * header; loads nothing.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show where a model's layers would go: per device the layers and the predicted",
                "weights, KV cache, compute buffers and overhead against its budget; the CPU share;",
                "and why. Reads only the file's header; nothing is loaded."})
final class PlanCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH", description = "GGUF model file.")
    private Path model;

    @Option(names = "--ctx", defaultValue = "4096", paramLabel = "TOKENS", description = "Context size (default: ${DEFAULT-VALUE}).")
    private int context;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N", description = "Parallel sequences (default: ${DEFAULT-VALUE}).")
    private int parallel;

    @Option(names = "--ubatch", defaultValue = "512", paramLabel = "N", description = "Micro-batch in tokens (default: ${DEFAULT-VALUE}).")
    private int microBatch;

    @Option(names = "--flash-attention", defaultValue = "auto", paramLabel = "auto|on|off",
            description = "Flash attention; auto resolves it as llama.cpp will for the placement (default: ${DEFAULT-VALUE}).")
    private String flashAttention;

    @Option(names = "--devices", defaultValue = "auto", paramLabel = "auto|SPEC",
            description = {"'auto' reads this machine's CUDA devices; or plan for another machine:",
                    "cuda0=24GiB,cuda1=24GiB (default: ${DEFAULT-VALUE})."})
    private String devices;

    @Option(names = "--reserve", defaultValue = "1GiB", paramLabel = "SIZE",
            description = "Kept free on every GPU (default: ${DEFAULT-VALUE}).")
    private String reserve;

    @Option(names = "--overhead", defaultValue = "auto", paramLabel = "auto|SIZE",
            description = {"Runtime overhead per GPU (cuBLAS state, pools) that the estimate adds; 'auto' takes",
                    "what 'strata overhead' measured on each of this machine's cards, 0 for a card not",
                    "measured or a device spec (default: ${DEFAULT-VALUE})."})
    private String overhead;

    @Option(names = "--json", description = "Print the plan as JSON.")
    private boolean json;

    private List<String> overheadNotes = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelShape shape = ModelShape.of(GgufFile.read(model));
        HostMemory host = HostMemory.system();
        DeviceInventory inventory = devices.equalsIgnoreCase("auto") ? new CudaDeviceInventory(host)
                : ExplicitDeviceInventory.parse(devices, host);
        Inventory inv = inventory.read();
        long reserveBytes = ByteSize.parse(reserve).bytes();
        boolean measured = overhead.equalsIgnoreCase("auto");
        long given = measured ? 0 : ByteSize.parse(overhead).bytes();
        MeasuredOverheads kept = measured && devices.equalsIgnoreCase("auto")
                ? MeasuredOverheads.load(MeasuredOverheads.defaultFile()) : new MeasuredOverheads(Map.of());
        List<String> overheadNotes = new ArrayList<>();
        List<PlanDevice> gpus = inv.cuda().stream().map(d -> {
            long bytes = given;
            if (measured) {
                var entry = kept.of(d.uuid());
                bytes = entry.map(MeasuredOverheads.Entry::bytes).orElse(0L);
                overheadNotes.add(entry.map(e -> d.id() + ": runtime overhead " + ByteSize.format(e.bytes()) + ", measured "
                        + e.measured() + " ('strata overhead')").orElse(d.id() + ": runtime overhead not measured on this"
                        + " card (run 'strata overhead --model SMALL.gguf', or give --overhead); counted as 0"));
            }
            return new PlanDevice(DeviceBudget.of(d).withReserveBytes(reserveBytes), bytes);
        }).toList();
        this.overheadNotes = overheadNotes;
        FlashAttention fa = switch (flashAttention.toLowerCase(Locale.ROOT)) {
            case "on" -> FlashAttention.ENABLED;
            case "off" -> FlashAttention.DISABLED;
            case "auto" -> FlashAttention.AUTO;
            default -> throw new IllegalArgumentException("--flash-attention must be auto, on or off");
        };
        KvCacheParams kv = KvCacheParams.defaults().withContext(context).withSequences(parallel)
                .withBatch(Math.max(2048, microBatch), microBatch).withFlashAttention(fa);
        long t0 = System.nanoTime();
        PlanResult result = Planner.plan(shape, gpus, new PlanRequest(kv, false, 256,
                gpus.isEmpty() ? CpuRepack.x86Avx2() : CpuRepack.NONE, inv.cpu().freeBytes(), true));
        double millis = (System.nanoTime() - t0) / 1e6;
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(shape, inv, result)));
        } else {
            printTable(out, shape, inv, result, millis);
        }
        return result instanceof Placement ? 0 : 2;
    }

    private void printTable(PrintWriter out, ModelShape shape, Inventory inv, PlanResult result, double millis) {
        out.printf(Locale.ROOT, "%s: %s, %d layers%s; context %d x %d sequence(s), micro-batch %d%n",
                model.getFileName(), shape.architecture(), shape.layerCount(),
                shape.expertCount() > 0 ? ", " + shape.expertCount() + " experts" : "", context, parallel, microBatch);
        inv.notes().forEach(n -> out.println("note: " + n));
        overheadNotes.forEach(n -> out.println("note: " + n));
        shape.warnings().forEach(w -> out.println("warning: " + w));
        List<DevicePlan> rows = new ArrayList<>();
        String why;
        if (result instanceof Placement p) {
            rows.addAll(p.gpus());
            rows.add(p.host());
            why = p.reason();
        } else {
            PlanRefusal r = (PlanRefusal) result;
            rows.addAll(r.closest());
            why = "REFUSED: " + r.reason();
        }
        out.printf("%-6s %-9s %10s %10s %10s %10s %10s %10s%n", "device", "layers", "weights", "KV", "compute",
                "overhead", "total", "budget");
        for (DevicePlan d : rows) {
            String layers = d.layerCount() == 0 ? "-" : d.firstLayer() + "-" + (d.endLayer() - 1);
            if (d.output()) {
                layers += "+out";
            }
            out.printf("%-6s %-9s %10s %10s %10s %10s %10s %10s%n", d.device(), layers, size(d.weightBytes()),
                    size(d.kvBytes()), size(d.computeBytes()), size(d.overheadBytes()), size(d.totalBytes()),
                    d.budgetBytes() == Long.MAX_VALUE ? "-" : size(d.budgetBytes()));
        }
        if (result instanceof Placement p) {
            out.printf(Locale.ROOT, "llama.cpp: n_gpu_layers=%d tensor_split=%s%s%n", p.gpuLayers(),
                    p.tensorSplit().stream().map(f -> String.format(Locale.ROOT, "%.4f", f)).toList(),
                    p.overrides().isEmpty() ? "" : " overrides=" + p.overrides());
        }
        out.println("why: " + why);
        out.printf(Locale.ROOT, "planned in %.1f ms%n", millis);
    }

    private static String size(long bytes) {
        return ByteSize.format(bytes);
    }

    private Map<String, Object> toJson(ModelShape shape, Inventory inv, PlanResult result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("architecture", shape.architecture());
        m.put("layers", shape.layerCount());
        m.put("context", context);
        m.put("parallel", parallel);
        List<String> notes = new ArrayList<>(inv.notes());
        notes.addAll(overheadNotes);
        m.put("notes", notes);
        if (result instanceof Placement p) {
            m.put("fits", true);
            m.put("gpuLayers", p.gpuLayers());
            m.put("tensorSplit", p.tensorSplit());
            m.put("overrides", p.overrides().stream().map(o -> o.pattern() + "=" + o.device()).toList());
            List<DevicePlan> all = new ArrayList<>(p.gpus());
            all.add(p.host());
            m.put("devices", all.stream().map(PlanCommand::deviceJson).toList());
            m.put("reason", p.reason());
        } else {
            PlanRefusal r = (PlanRefusal) result;
            m.put("fits", false);
            m.put("devices", r.closest().stream().map(PlanCommand::deviceJson).toList());
            m.put("reason", r.reason());
        }
        return m;
    }

    private static Map<String, Object> deviceJson(DevicePlan d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", d.device().toString());
        m.put("firstLayer", d.firstLayer());
        m.put("endLayer", d.endLayer());
        m.put("output", d.output());
        m.put("weightBytes", d.weightBytes());
        m.put("kvBytes", d.kvBytes());
        m.put("computeBytes", d.computeBytes());
        m.put("overheadBytes", d.overheadBytes());
        m.put("totalBytes", d.totalBytes());
        m.put("budgetBytes", d.budgetBytes() == Long.MAX_VALUE ? null : d.budgetBytes());
        return m;
    }
}
