// C references of the Model B kernels (the specification; see scale_dsp.h) and DSP init.
#include <stdint.h>

#include "scale/scale_dsp.h"

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static inline int mini(int a, int b) { return a < b ? a : b; }
static inline int maxi(int a, int b) { return a > b ? a : b; }

static inline int blk(int x, int t, int fs)
{
    return (x >> 3) * 8 * fs + (t >> 1) * 16 + (x & 7) * 2 + (t & 1);
}

decl_scale_h_fn(aim_scale_h_c)
{
    const int rnd = 1 << (depth - 1), up = AIM_SCALE_INTER_BITS - depth;
    for (int x = 0; x < w; x++) {
        const uint16_t *s = src + off[x];
        int acc = 0;
        for (int t = 0; t < fs; t++)
            acc += coef[blk(x, t, fs)] * s[t];
        int v = clampi((acc + rnd) >> depth, INT16_MIN, INT16_MAX);
        if (ar_q) {
            int lo = 65535, hi = 0;
            for (int t = 0; t < fs; t++)
                if (armask[blk(x, t, fs)]) {
                    lo = mini(lo, s[t]);
                    hi = maxi(hi, s[t]);
                }
            int c = clampi(v, lo << up, hi << up);
            v += ((c - v) * ar_q + (1 << (AIM_SCALE_AR_BITS - 1))) >> AIM_SCALE_AR_BITS;
        }
        dst[x] = (int16_t)v;
    }
}

decl_scale_v_fn(aim_scale_v_c)
{
    const int maxv = (1 << depth) - 1;
    const int sh = AIM_SCALE_COEF_BITS + AIM_SCALE_INTER_BITS - depth;
    const int sh2 = AIM_SCALE_INTER_BITS - depth;
    for (int x = 0; x < w; x++) {
        int acc = 0;
        for (int t = 0; t < fs; t++)
            acc += coef[t] * rows[t][x];
        int v;
        if (!ar_q) {
            v = (acc + (1 << (sh - 1))) >> sh;
        } else {
            int u = clampi((acc + (1 << (AIM_SCALE_COEF_BITS - 1))) >> AIM_SCALE_COEF_BITS,
                           INT16_MIN, INT16_MAX);
            int lo = INT16_MAX, hi = INT16_MIN;
            for (int t = ar_a; t < ar_a + ar_n; t++) {
                lo = mini(lo, rows[t][x]);
                hi = maxi(hi, rows[t][x]);
            }
            u += ((clampi(u, lo, hi) - u) * ar_q + (1 << (AIM_SCALE_AR_BITS - 1))) >>
                 AIM_SCALE_AR_BITS;
            v = (u + (1 << (sh2 - 1))) >> sh2;
        }
        dst[x] = (uint16_t)clampi(v, 0, maxv);
    }
}

decl_sharpen_fn(aim_sharpen_c)
{
    for (int x = 0; x < w; x++)
        dst[x] = (uint16_t)aim_sharpen_px(r0, r1, r2, x > 0 ? x - 1 : 0, x,
                                          x < w - 1 ? x + 1 : w - 1, q);
}

decl_denoise_fn(aim_denoise_c)
{
    for (int x = 0; x < w; x++)
        dst[x] = (uint16_t)aim_denoise_px(r0, r1, r2, x > 0 ? x - 1 : 0, x,
                                          x < w - 1 ? x + 1 : w - 1, lut, shift);
}

decl_deblock_h_fn(aim_deblock_h_c)
{
    for (int x = 0; x < w; x++)
        aim_deblock_px(q0 + x, stride, p);
}

decl_deblock_v_fn(aim_deblock_v_c)
{
    for (int y = 0; y < h; y++)
        for (int x = 8; x + 2 < w; x += 8)
            aim_deblock_px(row + y * stride + x, 1, p);
}

void aim_scale_dsp_init(AimScaleDSP *dsp, unsigned cpu_flags)
{
    dsp->h = aim_scale_h_c;
    dsp->v = aim_scale_v_c;
    dsp->sharpen = aim_sharpen_c;
    dsp->denoise = aim_denoise_c;
    dsp->deblock_h = aim_deblock_h_c;
    dsp->deblock_v = aim_deblock_v_c;
    aim_scale_dsp_init_x86(dsp, cpu_flags);
}
