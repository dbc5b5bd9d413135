// Restoration parameters and the deblocking edge filter.
#include <math.h>

#include "scale/restore.h"

// Deblocking at strength 1 uses H.264's normal (bS < 4) luma edge filter with its thresholds
// at indexA = indexB = 30 (ITU-T H.264 Tables 8-16/8-17: alpha' = 25, beta' = 8, tC0 = 2 at
// bS = 3): QP 30 is a typical web anime encode, and alpha = 25 (8-bit) keeps real line edges
// (steps of 40+ levels) untouched. Lower strengths scale the thresholds down linearly.
#define DB_ALPHA8 25.0
#define DB_BETA8 8.0
#define DB_TC08 2.0
// Bilateral range sigma at strength 1, 8-bit units: compression noise in web anime encodes
// is ~2-4 levels (RMS), so sigma 8 flattens it, while a line edge of 40 levels gets the
// weight exp(-40^2 / (2 * 8^2)) ~ 4e-6: lines are kept. Chroma gets half ("lightly").
#define DN_SIGMA_LUMA8 8.0
#define DN_SIGMA_CHROMA8 4.0
// Unsharp-mask amount at strength 1: 100 % of the 3x3 high-pass (the local min/max clamp
// bounds the result, so the amount only sets how fast a soft edge steepens).
#define SH_AMOUNT 1.0

// Range kernel exp(-d^2 / (2 sigma^2)) on 16 bins: bins 0..14 cover 0..3 sigma (the weight
// at 3 sigma is 1 %), bin 15 (beyond) weighs 0. Weights are out of 64 so the 3x3 sums fit
// 16-bit SIMD lanes (decl_denoise_fn). Returns 0 when sigma is too small to matter (the
// weight of a 1-level difference rounds to 0: the filter is the identity).
static int make_lut(uint8_t lut[16], int *shift, double sigma)
{
    int sh = 0;
    while (sh < 7 && 15.0 * (1 << sh) < 3.0 * sigma)
        sh++;
    *shift = sh;
    for (int b = 0; b < 16; b++) {
        const double d = b * (double)(1 << sh) + ((1 << sh) - 1) / 2.0; // bin centre
        lut[b] = b == 15 || sigma <= 0 ? (uint8_t)(b ? 0 : 64)
                                       : (uint8_t)lround(64.0 * exp(-d * d / (2 * sigma * sigma)));
    }
    lut[0] = 64;
    return lut[1] > 0 || sh > 0;
}

void aim_restore_params_init(AimRestoreParams *p, const AimRestore *r, int depth)
{
    *p = (AimRestoreParams){ .depth = depth };
    const double k = (double)(1 << (depth - 8));
    if (r->deblock > 0) {
        p->db.alpha = (int)lround(DB_ALPHA8 * r->deblock * k);
        p->db.beta = (int)lround(DB_BETA8 * r->deblock * k);
        p->db.tc0 = (int)lround(DB_TC08 * r->deblock * k);
        p->db.maxv = (1 << depth) - 1;
        // with alpha or beta 0 no edge passes the test: off
        p->do_deblock = p->db.alpha > 0 && p->db.beta > 0;
    }
    if (r->denoise > 0) {
        int a = make_lut(p->lut_luma, &p->shift_luma, DN_SIGMA_LUMA8 * r->denoise * k);
        int b = make_lut(p->lut_chroma, &p->shift_chroma, DN_SIGMA_CHROMA8 * r->denoise * k);
        p->do_denoise = a || b;
    }
    if (r->sharpen > 0)
        p->sharpen_q = (int)lround(SH_AMOUNT * r->sharpen * 256.0);
}
