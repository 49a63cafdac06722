package dev.strata.http.admin;

import dev.strata.memory.device.Device;
import dev.strata.memory.device.DeviceId;
import dev.strata.memory.ledger.Ledger;
import dev.strata.runtime.Engine;
import dev.strata.runtime.Model;
import dev.strata.runtime.RegisteredModel;
import dev.strata.runtime.load.PlannedLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an engine's registry, ledger and devices into the records the administration routes answer
 * with. Reads only: figures recorded at load, counters the decode loop keeps, and the device inventory.
 *
 * <pre>{@code
 * AdminListing listing = new AdminListing(engine);
 * listing.models();    // every model the registry knows
 * listing.devices();   // each device's memory, reserve and what the ledger holds
 * }</pre>
 */
public final class AdminListing {
    private final Engine engine;

    public AdminListing(Engine engine) {
        this.engine = engine;
    }

    /** Every model the registry knows, in the order defined. */
    public List<ModelStatus> models() {
        List<ModelStatus> out = new ArrayList<>();
        for (RegisteredModel r : engine.registry().models()) {
            out.add(status(r));
        }
        return out;
    }

    /** The named model, if the registry knows it. */
    public Optional<ModelStatus> model(String id) {
        return engine.registry().models().stream().filter(r -> r.name().equals(id)).findFirst().map(this::status);
    }

    private ModelStatus status(RegisteredModel r) {
        Optional<Model> loaded = engine.registry().loaded(r.name());
        String state = r.residency().name().toLowerCase(Locale.ROOT);
        LoadSettings options = LoadSettings.of(r.options());
        double idle = r.idleNanos() / 1e9;
        if (loaded.isEmpty()) {
            // unloaded between the two reads: listed as it is now
            return new ModelStatus(r.name(), r.path().toString(), state.equals("loaded") ? "not_loaded" : state,
                    r.pinned(), 0, null, null, null, null, 0, options, null, List.of());
        }
        Model m = loaded.get();
        return new ModelStatus(r.name(), r.path().toString(), state, r.pinned(), m.activeRequests(),
                m.runningSequences(), m.contextSize(), m.sequences(), m.kvCellsUsed(), idle, options,
                m.placement().map(PlacementStatus::of).orElse(null), ModelMemory.of(m));
    }

    /** Each device read now: CUDA devices first, then the CPU. */
    public List<DeviceStatus> devices() {
        Map<String, String> names = ledgerNames();
        Ledger ledger = engine.ledger();
        List<DeviceStatus> out = new ArrayList<>();
        for (Device d : engine.inventory().read().devices()) {
            DeviceId id = d.id();
            Map<String, Long> heldBy = new LinkedHashMap<>();
            ledger.heldBy(id).forEach((ledgerId, bytes) -> heldBy.merge(names.getOrDefault(ledgerId, ledgerId), bytes, Long::sum));
            out.add(new DeviceStatus(id.toString(), d.name(), d.totalBytes(), d.freeBytes(), PlannedLoader.RESERVE_BYTES,
                    engine.options().capBytes().get(id), ledger.held(id), heldBy));
        }
        return out;
    }

    /** Ledger id ("stories260K.gguf#1a2b3c4d") → registry name, for the models loaded now. */
    private Map<String, String> ledgerNames() {
        Map<String, String> names = new LinkedHashMap<>();
        for (RegisteredModel r : engine.registry().models()) {
            engine.registry().loaded(r.name()).flatMap(Model::ledgerId).ifPresent(id -> names.put(id, r.name()));
        }
        return names;
    }
}
