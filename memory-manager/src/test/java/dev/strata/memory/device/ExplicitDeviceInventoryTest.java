package dev.strata.memory.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExplicitDeviceInventoryTest {

    private static final long G = ByteSize.GIB;
    /** A fixed host: 32 GiB, 20 GiB available. */
    private static final HostMemory HOST = new HostMemory(Path.of("/nonexistent/meminfo"), () -> 32 * G, () -> 20 * G);

    @Test
    void twoGpusAndTheHost() {
        Inventory inv = ExplicitDeviceInventory.parse("cuda0=24GiB,cuda1=24GiB", HOST).read();
        assertThat(inv.cuda()).containsExactly(
                new Device(DeviceId.cuda(0), "cuda0 from the spec", "", "", 24 * G, 24 * G),
                new Device(DeviceId.cuda(1), "cuda1 from the spec", "", "", 24 * G, 24 * G));
        assertThat(inv.cpu().totalBytes()).isEqualTo(32 * G);
        assertThat(inv.cpu().freeBytes()).isEqualTo(20 * G);
        assertThat(inv.notes()).containsExactly(
                "devices from the spec \"cuda0=24GiB,cuda1=24GiB\": free is the capacity given, nothing is measured"
                        + " and no CUDA runtime overhead is taken out",
                "cpu: this machine's RAM (the spec has no cpu part)");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
        // spec                                    | cuda capacities in bytes      | cpu bytes (0: host)
        "cuda0=24GiB,cuda1=24GiB                   | 25769803776 25769803776      | 0",
        "cuda0=80GiB,cpu=256GiB                    | 85899345920                  | 274877906944",
        "' cuda1 = 23.5 GiB , cuda0=1G ,CPU=64G '  | 1073741824 25232932864       | 68719476736",
        "CUDA0=512MiB                              | 536870912                    | 0",
        "cpu=8GiB                                  | ''                           | 8589934592",
        "cuda2=1G,cuda0=1G,cuda1=1G                | 1073741824 1073741824 1073741824 | 0",
    })
    void readsGoodSpecs(String spec, String cudaBytes, long cpuBytes) {
        Inventory inv = ExplicitDeviceInventory.parse(spec, HOST).read();
        List<Long> expected = cudaBytes.isBlank() ? List.of()
                : Arrays.stream(cudaBytes.trim().split(" +")).map(Long::valueOf).toList();
        assertThat(inv.cuda()).extracting(Device::totalBytes).containsExactlyElementsOf(expected);
        for (int i = 0; i < inv.cuda().size(); i++) {
            Device d = inv.cuda().get(i);
            assertThat(d.id()).isEqualTo(DeviceId.cuda(i));
            assertThat(d.freeBytes()).isEqualTo(d.totalBytes());
        }
        assertThat(inv.cpu().totalBytes()).isEqualTo(cpuBytes == 0 ? 32 * G : cpuBytes);
        assertThat(inv.hasCuda()).isEqualTo(!expected.isEmpty());
        if (expected.isEmpty()) {
            assertThat(inv.notes().get(0)).isEqualTo("CPU only: the spec names no CUDA device");
        }
    }

    @ParameterizedTest(name = "\"{0}\": {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // spec                      | part | part text        | reason
        "``                          | 0    | ``               | empty; expected DEVICE=SIZE parts such as cuda0=24GiB",
        "`   `                       | 0    | `   `            | empty; expected DEVICE=SIZE parts",
        "cuda0=24GiB,                | 2    | ``               | empty part; parts are DEVICE=SIZE separated by commas",
        "cuda0=24GiB,,cuda1=24GiB    | 2    | ``               | empty part",
        ",cuda0=24GiB                | 1    | ``               | empty part",
        "cuda0                       | 1    | cuda0            | no '='; expected DEVICE=SIZE such as cuda0=24GiB",
        "cuda0:24GiB                 | 1    | cuda0:24GiB      | no '='",
        "cuda0=24GiB,gpu1=24GiB      | 2    | gpu1=24GiB       | \"gpu1\" is not a device: expected cuda0, cuda1, ... or cpu",
        "=24GiB                      | 1    | =24GiB           | \"\" is not a device",
        "cuda01=24GiB                | 1    | cuda01=24GiB     | \"cuda01\" is not a device",
        "cuda0=24GiB,cuda1=24GB      | 2    | cuda1=24GB       | \"24GB\": \"GB\" is ambiguous (1000 or 1024?); write GiB (powers of 1024) or G",
        "cuda0=                      | 1    | cuda0=           | \"\": expected a number and a unit",
        "cuda0=lots                  | 1    | cuda0=lots       | \"lots\": expected a number and a unit",
        "cuda0=24GiB=1               | 1    | cuda0=24GiB=1    | \"24GiB=1\": expected a number and a unit",
        "cuda0=0GiB                  | 1    | cuda0=0GiB       | cuda0 has no memory; give a size above 0",
        "cuda0=1G,cuda0=2G           | 2    | cuda0=2G         | cuda0 is given twice (also in part 1)",
        "cuda0=1G,cpu=1G,cpu=2G      | 3    | cpu=2G           | cpu is given twice",
        "cuda1=24GiB                 | 1    | cuda1=24GiB      | cuda0 is missing; CUDA devices are numbered from cuda0 without gaps",
        "cuda0=24GiB,cuda2=24GiB     | 2    | cuda2=24GiB      | cuda1 is missing; CUDA devices are numbered from cuda0 without gaps",
        "cuda3=1G,cuda0=1G,cuda1=1G  | 1    | cuda3=1G         | cuda2 is missing",
    })
    void refusesBadSpecsNamingThePart(String spec, int partNumber, String part, String reason) {
        assertThatThrownBy(() -> ExplicitDeviceInventory.parse(spec, HOST))
                .isInstanceOfSatisfying(DeviceSpecException.class, e -> {
                    assertThat(e.spec()).isEqualTo(spec);
                    assertThat(e.partNumber()).isEqualTo(partNumber);
                    assertThat(e.part()).isEqualTo(part);
                    assertThat(e.getMessage()).startsWith("device spec \"" + spec + "\": "
                            + (partNumber == 0 ? "" : "part " + partNumber + " \"" + part + "\": ") + reason);
                });
    }
}
