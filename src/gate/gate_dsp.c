// C references of the gate kernels (the specification) and the dispatch.
#include <stdlib.h>

#include "core/cpu.h"
#include "gate/gate_dsp.h"

void aim_gate_box_row_c(uint16_t *dst, int dw, const uint16_t *src, ptrdiff_t stride, int k,
                        float scale, uint16_t *tmp)
{
    int w = dw * k;
    for (int x = 0; x < w; x++) {
        unsigned s = 0;
        for (int r = 0; r < k; r++)
            s += src[r * stride + x];
        tmp[x] = (uint16_t)s;
    }
    for (int x = 0; x < dw; x++) {
        unsigned s = 0;
        for (int i = 0; i < k; i++)
            s += tmp[x * k + i];
        dst[x] = (uint16_t)((float)s * scale);
    }
}

void aim_gate_absdiff_rows_c(uint16_t *sum, const uint16_t *a, ptrdiff_t stride_a,
                             const uint16_t *b, ptrdiff_t stride_b, int rows, int w)
{
    for (int x = 0; x < w; x++) {
        unsigned s = 0;
        for (int r = 0; r < rows; r++)
            s += (unsigned)abs((int)a[r * stride_a + x] - (int)b[r * stride_b + x]);
        sum[x] = (uint16_t)s;
    }
}

void aim_gate_me_row_c(uint16_t *best, const uint8_t *cur, const uint8_t *ref, ptrdiff_t stride,
                       int nb, int range)
{
    for (int b = 0; b < nb; b++) {
        unsigned m = UINT16_MAX;
        for (int dy = -range; dy <= range; dy++)
            for (int dx = -range; dx <= range; dx++) {
                const uint8_t *r = ref + dy * stride + 4 * b + dx;
                unsigned s = 0;
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 4; x++)
                        s += (unsigned)abs((int)cur[y * stride + 4 * b + x] - (int)r[y * stride + x]);
                if (s < m)
                    m = s;
            }
        best[b] = (uint16_t)m;
    }
}

void aim_gate_dsp_init(AimGateDsp *dsp, unsigned flags)
{
    dsp->box_row = aim_gate_box_row_c;
    dsp->absdiff_rows = aim_gate_absdiff_rows_c;
    dsp->me_row = aim_gate_me_row_c;
    dsp->isa = 0;
#if defined(__x86_64__) || defined(__i386__)
    aim_gate_dsp_init_x86(dsp, flags);
#else
    (void)flags;
#endif
}
