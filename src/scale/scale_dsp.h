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

#include <stddef.h>
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
 *   ar_q > 0:  u = clamp((acc + (1 << 13)) >> 14, INT16_MIN, INT16_MAX)
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
 * 3x3 bilateral filter on one row, rows and columns as for sharpen, with a range kernel
 * quantised to 16 bins of 2^shift levels (bin 15 = "too different", weight 0):
 *   w(n) = s(n) * lut[min(|p(n) - p(center)| >> shift, 15)], s = 4 centre, 2 edge, 1 corner
 *   dst[x] = (sum w(n) p(n) + sum w(n) / 2) / sum w(n)
 * lut[0] in 1..64, lut[i] <= 64, lut[15] = 0; shift 0..7.
 */
#define decl_denoise_fn(name) void (name)(uint16_t *dst, const uint16_t *r0, \
    const uint16_t *r1, const uint16_t *r2, int w, const uint8_t *lut, int shift)
typedef decl_denoise_fn(*denoise_fn);

/** Deblocking thresholds in sample units (AimRestoreParams computes them). */
typedef struct AimDeblockParams {
    int alpha, beta, tc0, maxv;
} AimDeblockParams;

/**
 * The horizontal block edge between rows q0 - stride and q0, for columns [0, w). Reads rows
 * -3 .. 2 and writes rows -2 .. 1 (relative to q0), per column as aim_deblock_px.
 */
#define decl_deblock_h_fn(name) void (name)(uint16_t *q0, ptrdiff_t stride, int w, \
    const AimDeblockParams *p)
typedef decl_deblock_h_fn(*deblock_h_fn);

/**
 * The vertical block edges at x = 8, 16, ... (x + 2 < w) of rows [0, h) from `row`, per row
 * as aim_deblock_px. May read and rewrite (unchanged) samples up to x + 3, i.e. one sample of
 * row padding.
 */
#define decl_deblock_v_fn(name) void (name)(uint16_t *row, ptrdiff_t stride, int w, int h, \
    const AimDeblockParams *p)
typedef decl_deblock_v_fn(*deblock_v_fn);

/**
 * H.264's normal (bS < 4) luma edge filter (ITU-T H.264 8.7.2.3) on p2 p1 p0 | q0 q1 q2 at
 * s[-3 * step] .. s[2 * step], in place: the per-sample specification of deblocking.
 */
static inline void aim_deblock_px(uint16_t *s, ptrdiff_t step, const AimDeblockParams *pr)
{
#define AIM_ABS_(v) ((v) < 0 ? -(v) : (v))
#define AIM_CLAMP_(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
    const int p2 = s[-3 * step], p1 = s[-2 * step], p0 = s[-step];
    const int q0 = s[0], q1 = s[step], q2 = s[2 * step];
    const int alpha = pr->alpha, beta = pr->beta, tc0 = pr->tc0;
    if (!(AIM_ABS_(p0 - q0) < alpha && AIM_ABS_(p1 - p0) < beta && AIM_ABS_(q1 - q0) < beta))
        return;
    const int ap = AIM_ABS_(p2 - p0) < beta, aq = AIM_ABS_(q2 - q0) < beta;
    const int tc = tc0 + ap + aq;
    const int delta = AIM_CLAMP_(((q0 - p0) * 4 + (p1 - q1) + 4) >> 3, -tc, tc);
    const int avg = (p0 + q0 + 1) >> 1;
    s[-step] = (uint16_t)AIM_CLAMP_(p0 + delta, 0, pr->maxv);
    s[0] = (uint16_t)AIM_CLAMP_(q0 - delta, 0, pr->maxv);
    if (ap)
        s[-2 * step] = (uint16_t)(p1 + AIM_CLAMP_((p2 + avg - 2 * p1) >> 1, -tc0, tc0));
    if (aq)
        s[step] = (uint16_t)(q1 + AIM_CLAMP_((q2 + avg - 2 * q1) >> 1, -tc0, tc0));
#undef AIM_ABS_
#undef AIM_CLAMP_
}

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
                                 int xl, int x, int xr, const uint8_t *lut, int shift)
{
    const int c = r1[x];
    const int p[9] = { r0[xl], r0[x], r0[xr], r1[xl], c, r1[xr], r2[xl], r2[x], r2[xr] };
    static const int sw[9] = { 1, 2, 1, 2, 4, 2, 1, 2, 1 }; // binomial [1 2 1] x [1 2 1]
    int num = 0, den = 0;
    for (int i = 0; i < 9; i++) {
        const int d = (p[i] > c ? p[i] - c : c - p[i]) >> shift;
        const int wgt = sw[i] * lut[d < 15 ? d : 15];
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
    deblock_h_fn deblock_h;
    deblock_v_fn deblock_v;
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
decl_deblock_h_fn(aim_deblock_h_c);
decl_deblock_v_fn(aim_deblock_v_c);

#endif
