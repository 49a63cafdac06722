/**
 * Devices and their memory: what there is ({@link dev.strata.memory.device.DeviceInventory}: the CUDA
 * driver now, or a spec for another machine), how to write sizes ({@link
 * dev.strata.memory.device.ByteSize}), and how much one more model may place on each device ({@link
 * dev.strata.memory.device.DeviceBudget}). All memory figures are bytes in {@code long}s.
 *
 * <pre>{@code
 * DeviceInventory inventory = new CudaDeviceInventory(HostMemory.system());
 * Ledger.Epoch epoch = ledger.epoch();       // before reading free memory
 * Inventory now = inventory.read();          // never throws for a missing driver: CPU only + a note
 * for (Device d : now.devices()) {
 *     DeviceBudget b = ledger.budgetFor(modelId, DeviceBudget.of(d), epoch);
 *     System.out.println(d.id() + ": " + b.explain());
 * }
 * }</pre>
 *
 * <p>Pure Java: the CUDA driver is reached through JCuda's driver API, which needs only
 * {@code libcuda.so.1}; nothing here calls llama.cpp.
 */
package dev.strata.memory.device;
