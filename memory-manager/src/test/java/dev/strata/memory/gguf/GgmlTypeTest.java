package dev.strata.memory.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GgmlTypeTest {

    /** id, block size, type size: from ggml.h's enum ggml_type and sizeof(block_*) in ggml-common.h. */
    private static final Object[][] GGML_TABLE = {
        {GgmlType.F32, 0, 1, 4}, {GgmlType.F16, 1, 1, 2}, {GgmlType.Q4_0, 2, 32, 18}, {GgmlType.Q4_1, 3, 32, 20},
        {GgmlType.Q5_0, 6, 32, 22}, {GgmlType.Q5_1, 7, 32, 24}, {GgmlType.Q8_0, 8, 32, 34}, {GgmlType.Q8_1, 9, 32, 36},
        {GgmlType.Q2_K, 10, 256, 84}, {GgmlType.Q3_K, 11, 256, 110}, {GgmlType.Q4_K, 12, 256, 144},
        {GgmlType.Q5_K, 13, 256, 176}, {GgmlType.Q6_K, 14, 256, 210}, {GgmlType.Q8_K, 15, 256, 292},
        {GgmlType.IQ2_XXS, 16, 256, 66}, {GgmlType.IQ2_XS, 17, 256, 74}, {GgmlType.IQ3_XXS, 18, 256, 98},
        {GgmlType.IQ1_S, 19, 256, 50}, {GgmlType.IQ4_NL, 20, 32, 18}, {GgmlType.IQ3_S, 21, 256, 110},
        {GgmlType.IQ2_S, 22, 256, 82}, {GgmlType.IQ4_XS, 23, 256, 136}, {GgmlType.I8, 24, 1, 1},
        {GgmlType.I16, 25, 1, 2}, {GgmlType.I32, 26, 1, 4}, {GgmlType.I64, 27, 1, 8}, {GgmlType.F64, 28, 1, 8},
        {GgmlType.IQ1_M, 29, 256, 56}, {GgmlType.BF16, 30, 1, 2}, {GgmlType.TQ1_0, 34, 256, 54},
        {GgmlType.TQ2_0, 35, 256, 66}, {GgmlType.MXFP4, 39, 32, 17}, {GgmlType.NVFP4, 40, 64, 36},
        {GgmlType.Q1_0, 41, 128, 18}, {GgmlType.Q2_0, 42, 64, 18},
    };

    @Test
    void tableMatchesGgml() {
        assertThat(GGML_TABLE.length).isEqualTo(GgmlType.values().length);
        for (Object[] row : GGML_TABLE) {
            GgmlType type = (GgmlType) row[0];
            assertThat(type.id()).as("%s id", type).isEqualTo(row[1]);
            assertThat(type.blockSize()).as("%s block size", type).isEqualTo(row[2]);
            assertThat(type.typeSize()).as("%s type size", type).isEqualTo(row[3]);
            assertThat(type.isQuantized()).isEqualTo((int) row[2] > 1);
        }
    }

    @Test
    void fromIdRoundTripsEveryType() {
        Set<Integer> ids = new HashSet<>();
        for (GgmlType type : GgmlType.values()) {
            assertThat(ids.add(type.id())).as("unique id %s", type.id()).isTrue();
            assertThat(GgmlType.fromId(type.id())).isSameAs(type);
            assertThat(GgmlType.find(type.id())).contains(type);
        }
    }

    @Test
    void removedAndOutOfRangeIdsAreUnknown() {
        for (int id : new int[] {4, 5, 31, 32, 33, 36, 37, 38, 43, 63, 64, -1, Integer.MAX_VALUE}) {
            assertThat(GgmlType.find(id)).as("id %d", id).isEmpty();
            assertThatThrownBy(() -> GgmlType.fromId(id))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Integer.toString(id));
        }
        assertThat(GgmlType.find(1L << 40)).isEmpty();
    }

    @Test
    void byteSizeCountsWholeBlocks() {
        assertThat(GgmlType.F32.byteSize(10)).isEqualTo(40);
        assertThat(GgmlType.Q8_0.byteSize(384L * 1536)).isEqualTo(384L * 1536 / 32 * 34);
        assertThat(GgmlType.Q4_K.byteSize(4096L * 4096)).isEqualTo(4096L * 4096 / 256 * 144);
        assertThat(GgmlType.MXFP4.byteSize(0)).isZero();
    }

    @Test
    void byteSizeRejectsPartialBlocksNegativesAndOverflow() {
        assertThatThrownBy(() -> GgmlType.Q4_0.byteSize(33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgmlType.F16.byteSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgmlType.F64.byteSize(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void ggmlNamesMatchGgmlSpelling() {
        assertThat(GgmlType.Q4_K.ggmlName()).isEqualTo("q4_K");
        assertThat(GgmlType.IQ2_XXS.ggmlName()).isEqualTo("iq2_xxs");
        assertThat(GgmlType.BF16.ggmlName()).isEqualTo("bf16");
    }
}
