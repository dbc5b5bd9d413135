// Model B DSP: the hot loops of the classic resampler and of the restoration filters, as
// function pointers (dav1d src/pal.h style). aim_scale_dsp_init assigns the C references
// (scale_dsp.c: the specification), then the x86 init overrides them by cpu_flags.
//
// Fixed point: filter coefficients have AIM_SCALE_COEF_BITS fraction bits and each output's
// coefficients sum to exactly 1 << AIM_SCALE_COEF_BITS, so flat input stays exactly flat.
// The horizontal pass stores a signed 14-bit-scale intermediate (sample << (14 - depth),
// saturated to int16), the vertical pass rounds it back to `depth` bits and clamps.
#ifndef AIM_SCALE_SCALE_DSP_H
#define AIM_SCALE_SCALE_DSP_H

#include <stdint.h>

#define AIM_SCALE_COEF_BITS 14
#define AIM_SCALE_INTER_BITS 14 ///< intermediate scale: sample << (14 - depth)
/** Anti-ringing strength fraction bits (ar_q = round(strength * 256)). */
#define AIM_SCALE_AR_BITS 8

/**
 * Horizontal pass over one row. For x in [0, w):
 *   acc = sum_{t < fs} coef(x, t) * src[off[x] + t]
 *   v   = clamp((acc + (1 << (depth - 1))) >> depth, INT16_MIN, INT16_MAX)
 *   if ar_q > 0:
 *     lo, hi = min, max of src[off[x] + t] over the taps with armask(x, t) != 0
 *     c = clamp(v, lo << (14 - depth), hi << (14 - depth))
 *     v += ((c - v) * ar_q + 128) >> 8
 *   dst[x] = v
 * Layout (blocks of 8 outputs, tap pairs interleaved, as AVX2 gathers pairs of samples):
 *   coef(x, t) = coef[(x >> 3) * 8 * fs + (t >> 1) * 16 + (x & 7) * 2 + (t & 1)], same for
 *   armask. fs is even. off, coef and armask cover w rounded up to 16 outputs (padding entries
 *   have zero coefficients); dst has room for w rounded up to 16; src is readable up to
 *   off[x] + max(fs - 1, 16) for every covered x (row padding: AIM_FRAME_PAD covers it).
 *   armask may be NULL when ar_q == 0.
 */
#define decl_scale_h_fn(name) void (name)(int16_t *dst, const uint16_t *src, int w, \
    const int32_t *off, const int16_t *coef, const int16_t *armask, int fs, int depth, int ar_q)
typedef decl_scale_h_fn(*scale_h_fn);

/**
 * Vertical pass producing one output row. For x in [0, w):
 *   acc = sum_{t < fs} coef[t] * rows[t][x]
 *   ar_q == 0: v = (acc + (1 << (27 - depth))) >> (28 - depth)
 *   ar_q > 0:  u = (acc + (1 << 13)) >> 14
 *              lo, hi = min, max of rows[t][x] for t in [ar_a, ar_a + ar_n)
 *              u += ((clamp(u, lo, hi) - u) * ar_q + 128) >> 8
 *              v = (u + (1 << (13 - depth))) >> (14 - depth)
 *   dst[x] = clamp(v, 0, (1 << depth) - 1)
 * fs is even. Writes exactly w samples; rows are readable up to w rounded up to 16.
 */
#define decl_scale_v_fn(name) void (name)(uint16_t *dst, const int16_t *const *rows, int w, \
    const int16_t *coef, int fs, int depth, int ar_a, int ar_n, int ar_q)
typedef decl_scale_v_fn(*scale_v_fn);

/**
 * Unsharp mask on one row (luma), rows r0/r1/r2 = above/current/below (edge rows repeated by
 * the caller), columns clamped at 0 and w-1:
 *   b = 3x3 binomial sum ([1 2 1] x [1 2 1], total 16) around x
 *   v = r1[x] + ((16 * r1[x] - b) * q + 2048) >> 12
 *   dst[x] = clamp(v, min, max of the 3x3 neighbourhood)   (so no halo, no overshoot)
 * q = round(amount * 256).
 */
#define decl_sharpen_fn(name) void (name)(uint16_t *dst, const uint16_t *r0, \
    const uint16_t *r1, const uint16_t *r2, int w, int q)
typedef decl_sharpen_fn(*sharpen_fn);

/**
 * 3x3 bilateral filter on one row, rows and columns as for sharpen:
 *   w(n) = s(n) * lut[|p(n) - p(center)|], s = 4 centre, 2 edge, 1 corner
 *   dst[x] = (sum w(n) p(n) + sum w(n) / 2) / sum w(n)
 * lut has (1 << depth) + 1 entries <= 256 (the last one only pads 32-bit gathers),
 * lut[0] = 256.
 */
#define decl_denoise_fn(name) void (name)(uint16_t *dst, const uint16_t *r0, \
    const uint16_t *r1, const uint16_t *r2, int w, const uint16_t *lut)
typedef decl_denoise_fn(*denoise_fn);

/** One sample of sharpen (the per-sample specification; SIMD files use it for edges). */
static inline int aim_sharpen_px(const uint16_t *r0, const uint16_t *r1, const uint16_t *r2,
                                 int xl, int x, int xr, int q)
{
#define AIM_MIN_(a, b) ((a) < (b) ? (a) : (b))
#define AIM_MAX_(a, b) ((a) > (b) ? (a) : (b))
    const int c = r1[x];
    const int b = r0[xl] + 2 * r0[x] + r0[xr] + 2 * (r1[xl] + 2 * c + r1[xr]) +
                  r2[xl] + 2 * r2[x] + r2[xr];
    int mn = AIM_MIN_(AIM_MIN_(AIM_MIN_(r0[xl], r0[x]), AIM_MIN_(r0[xr], r1[xl])),
                      AIM_MIN_(AIM_MIN_(c, r1[xr]), AIM_MIN_(AIM_MIN_(r2[xl], r2[x]), r2[xr])));
    int mx = AIM_MAX_(AIM_MAX_(AIM_MAX_(r0[xl], r0[x]), AIM_MAX_(r0[xr], r1[xl])),
                      AIM_MAX_(AIM_MAX_(c, r1[xr]), AIM_MAX_(AIM_MAX_(r2[xl], r2[x]), r2[xr])));
#undef AIM_MIN_
#undef AIM_MAX_
    const int v = c + (((16 * c - b) * q + 2048) >> 12);
    return v < mn ? mn : v > mx ? mx : v;
}

/** One sample of denoise (the per-sample specification; SIMD files use it for edges). */
static inline int aim_denoise_px(const uint16_t *r0, const uint16_t *r1, const uint16_t *r2,
                                 int xl, int x, int xr, const uint16_t *lut)
{
    const int c = r1[x];
    const int p[9] = { r0[xl], r0[x], r0[xr], r1[xl], c, r1[xr], r2[xl], r2[x], r2[xr] };
    static const int sw[9] = { 1, 2, 1, 2, 4, 2, 1, 2, 1 }; // binomial [1 2 1] x [1 2 1]
    int num = 0, den = 0;
    for (int i = 0; i < 9; i++) {
        const int wgt = sw[i] * lut[p[i] > c ? p[i] - c : c - p[i]];
        num += wgt * p[i];
        den += wgt;
    }
    return (num + den / 2) / den;
}

typedef struct AimScaleDSP {
    scale_h_fn h;
    scale_v_fn v;
    sharpen_fn sharpen;
    denoise_fn denoise;
} AimScaleDSP;

/** C references, then the best SIMD versions allowed by cpu_flags (AIM_CPU_*). */
void aim_scale_dsp_init(AimScaleDSP *dsp, unsigned cpu_flags);
/** x86 part (src/x86/scale_init.c); a no-op elsewhere. */
void aim_scale_dsp_init_x86(AimScaleDSP *dsp, unsigned cpu_flags);

// The C references, exported for the DSP test.
decl_scale_h_fn(aim_scale_h_c);
decl_scale_v_fn(aim_scale_v_c);
decl_sharpen_fn(aim_sharpen_c);
decl_denoise_fn(aim_denoise_c);

#endif
