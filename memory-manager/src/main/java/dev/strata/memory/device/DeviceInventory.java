package dev.strata.memory.device;

/**
 * Where device figures come from: the CUDA driver now ({@link CudaDeviceInventory}) or a spec for a
 * machine one does not have ({@link ExplicitDeviceInventory}). The runtime takes one through its
 * constructor; tests pass a fixed one.
 *
 * <pre>{@code
 * DeviceInventory inventory = spec == null
 *         ? new CudaDeviceInventory(HostMemory.system())
 *         : ExplicitDeviceInventory.parse(spec, HostMemory.system());
 * List<DeviceBudget> budgets = inventory.read().devices().stream().map(DeviceBudget::of).toList();
 * }</pre>
 */
public interface DeviceInventory {

    /**
     * Reads every device now: free memory changes, so each call reads again. Never throws for a
     * missing driver or device: it returns the CPU alone and says why in {@link Inventory#notes()}.
     */
    Inventory read();
}
