package dev.strata.cli;

import dev.strata.llama.LlamaBackend;
import dev.strata.llama.RuntimeOverhead;
import dev.strata.memory.device.ByteSize;
import dev.strata.memory.device.CudaDeviceInventory;
import dev.strata.memory.device.Device;
import dev.strata.memory.device.HostMemory;
import dev.strata.memory.device.Inventory;
import dev.strata.memory.device.MeasuredOverheads;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata overhead}: measures each GPU's runtime overhead once and keeps it for {@code strata plan}.
 */
@Command(name = "overhead", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure what a loaded, warmed-up model holds on each GPU beyond llama.cpp's own",
                "breakdown (cuBLAS state, memory pools) and keep it: 'strata plan' adds it for that card.",
                "Give a small model; its own weights, cache and compute are subtracted."})
final class OverheadCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH", description = "A small GGUF model.")
    private Path model;

    @Option(names = "--file", paramLabel = "PATH",
            description = "Where measurements are kept (default: ~/.cache/strata/overheads.properties).")
    private Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // read before llama.cpp starts CUDA: the inventory's figures are what plans start from
        Inventory inv = new CudaDeviceInventory(HostMemory.system()).read();
        List<Device> gpus = inv.cuda();
        if (gpus.isEmpty()) {
            inv.notes().forEach(n -> err.println("note: " + n));
            err.println("no CUDA device on this machine: nothing to measure");
            return 2;
        }
        Path target = file != null ? file : MeasuredOverheads.defaultFile();
        MeasuredOverheads kept = MeasuredOverheads.load(target);
        for (Device gpu : gpus) {
            RuntimeOverhead o = RuntimeOverhead.measure(LlamaBackend.get(), model, "CUDA" + gpu.id().index());
            out.printf(Locale.ROOT, "%s %s: runtime overhead %s (CUDA context and other use before loading: %s)%n",
                    gpu.id(), gpu.name(), ByteSize.format(o.runtimeBytes()), ByteSize.format(o.contextBytes()));
            kept = kept.with(gpu.uuid(), gpu.name(), o.runtimeBytes(), Instant.now());
        }
        kept.save(target);
        out.println("saved to " + target);
        return 0;
    }
}
