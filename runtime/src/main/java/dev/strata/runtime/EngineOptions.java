package dev.strata.runtime;

import dev.strata.memory.device.DeviceId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How an {@link Engine} shares this machine: the most it may place on each device (all its models
 * together) and how its registry keeps models.
 *
 * <pre>{@code
 * EngineOptions o = EngineOptions.defaults()
 *         .withCap(DeviceId.cuda(0), 24 * ByteSize.GIB)          // leave the rest of the card to others
 *         .withRegistry(RegistryOptions.defaults().withMaxLoaded(3));
 * try (Engine engine = Engine.create(o)) { ... }
 * }</pre>
 *
 * @param capBytes per device, the most all planned models together may hold there (the 1 GiB reserve
 *                 still applies to free memory); devices not named have no cap
 * @param registry how the registry loads, shares and evicts models
 */
public record EngineOptions(Map<DeviceId, Long> capBytes, RegistryOptions registry) {
    public EngineOptions {
        capBytes = Map.copyOf(Objects.requireNonNull(capBytes, "capBytes"));
        Objects.requireNonNull(registry, "registry");
        capBytes.forEach((d, b) -> {
            if (b <= 0) {
                throw new IllegalArgumentException("the cap on " + d + " must be above 0 bytes, not " + b);
            }
        });
    }

    /** No caps, the registry's defaults. */
    public static EngineOptions defaults() {
        return new EngineOptions(Map.of(), RegistryOptions.defaults());
    }

    public EngineOptions withCap(DeviceId device, long bytes) {
        Map<DeviceId, Long> caps = new LinkedHashMap<>(capBytes);
        caps.put(device, bytes);
        return new EngineOptions(caps, registry);
    }

    public EngineOptions withRegistry(RegistryOptions r) {
        return new EngineOptions(capBytes, r);
    }
}
