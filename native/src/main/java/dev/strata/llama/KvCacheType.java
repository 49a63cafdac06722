package dev.strata.llama;

/** Element type of the K or V cache (the subset of ggml_type llama.cpp accepts there). */
public enum KvCacheType {
    F32(0), F16(1), BF16(30), Q8_0(8), Q4_0(2), Q4_1(3), IQ4_NL(20), Q5_0(6), Q5_1(7);

    final int ggmlType;

    KvCacheType(int ggmlType) {
        this.ggmlType = ggmlType;
    }
}
