package dev.strata.memory.device;

/**
 * Prints what {@link CudaDeviceInventory} reads, one {@code device|id|uuid|name} or {@code note|text}
 * line each: run in a child JVM by the tests that need another environment (CUDA_VISIBLE_DEVICES).
 */
public final class PrintInventory {
    private PrintInventory() {
    }

    public static void main(String[] args) {
        Inventory inv = new CudaDeviceInventory(HostMemory.system()).read();
        for (Device d : inv.devices()) {
            System.out.println("device|" + d.id() + "|" + d.uuid() + "|" + d.name());
        }
        for (String note : inv.notes()) {
            System.out.println("note|" + note);
        }
    }
}
