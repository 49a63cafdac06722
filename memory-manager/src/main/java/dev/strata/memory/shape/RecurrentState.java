package dev.strata.memory.shape;

/**
 * The row widths of llama.cpp's recurrent state ({@code llama_memory_recurrent}, src/llama-memory-recurrent.cpp):
 * every recurrent layer holds a tensor {@code cache_r_l<il>} of {@code [n_embd_r, cells]} (the convolution
 * state) and {@code cache_s_l<il>} of {@code [n_embd_s, cells]} (the SSM state), both F32, one cell per
 * sequence. The widths are the same for every layer ({@code llama_hparams::n_embd_r()} and
 * {@code n_embd_s()}, src/llama-hparams.cpp).
 *
 * <pre>{@code
 * // mamba-130m: d_conv 4, d_inner 1536, d_state 16, no groups
 * RecurrentState.ofSsm(4, 1536, 16, 0);   // rWidth 3 * 1536 = 4608, sWidth 16 * 1536 = 24576
 * }</pre>
 *
 * @param rWidth n_embd_r: elements of the convolution (or token-shift) state per cell
 * @param sWidth n_embd_s: elements of the SSM (or wkv) state per cell
 */
public record RecurrentState(long rWidth, long sWidth) {
    /** No recurrent state. */
    public static final RecurrentState NONE = new RecurrentState(0, 0);

    public RecurrentState {
        if (rWidth < 0 || sWidth < 0) {
            throw new IllegalArgumentException("negative recurrent state width: " + rWidth + ", " + sWidth);
        }
    }

    /**
     * Mamba-style state: {@code n_embd_r = (d_conv - 1) * (d_inner + 2 * n_group * d_state)} (0 without a
     * convolution) and {@code n_embd_s = d_state * d_inner}.
     */
    public static RecurrentState ofSsm(long dConv, long dInner, long dState, long nGroup) {
        return new RecurrentState((dConv > 0 ? dConv - 1 : 0) * (dInner + 2 * nGroup * dState), dState * dInner);
    }
}
