// Restoration parameters and the deblocking edge filter.
#include <math.h>
#include <stdlib.h>

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

static uint16_t *make_lut(double sigma, int depth)
{
    int n = 1 << depth;
    uint16_t *lut = malloc((size_t)(n + 1) * sizeof(*lut)); // + 1: see decl_denoise_fn
    if (!lut)
        return NULL;
    lut[n] = 0;
    for (int d = 0; d < n; d++)
        lut[d] = sigma > 0 ? (uint16_t)lround(256.0 * exp(-(double)d * d / (2 * sigma * sigma)))
                           : (uint16_t)(d ? 0 : 256);
    return lut;
}

int aim_restore_params_init(AimRestoreParams *p, const AimRestore *r, int depth)
{
    *p = (AimRestoreParams){ .depth = depth };
    const double k = (double)(1 << (depth - 8));
    if (r->deblock > 0) {
        p->db_alpha = (int)lround(DB_ALPHA8 * r->deblock * k);
        p->db_beta = (int)lround(DB_BETA8 * r->deblock * k);
        p->db_tc0 = (int)lround(DB_TC08 * r->deblock * k);
    }
    if (r->denoise > 0) {
        p->lut_luma = make_lut(DN_SIGMA_LUMA8 * r->denoise * k, depth);
        p->lut_chroma = make_lut(DN_SIGMA_CHROMA8 * r->denoise * k, depth);
        if (!p->lut_luma || !p->lut_chroma) {
            aim_restore_params_free(p);
            return AIM_ERR(ENOMEM);
        }
    }
    if (r->sharpen > 0)
        p->sharpen_q = (int)lround(SH_AMOUNT * r->sharpen * 256.0);
    return 0;
}

void aim_restore_params_free(AimRestoreParams *p)
{
    free(p->lut_luma);
    free(p->lut_chroma);
    p->lut_luma = p->lut_chroma = NULL;
}

static inline int iabs(int v) { return v < 0 ? -v : v; }
static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// H.264 8.7.2.3 (bS < 4, luma rules) on p2 p1 p0 | q0 q1 q2 at s[-3*step] .. s[2*step].
static inline void edge_filter(uint16_t *s, ptrdiff_t step, const AimRestoreParams *pr)
{
    const int p2 = s[-3 * step], p1 = s[-2 * step], p0 = s[-step];
    const int q0 = s[0], q1 = s[step], q2 = s[2 * step];
    const int alpha = pr->db_alpha, beta = pr->db_beta, tc0 = pr->db_tc0;
    if (!(iabs(p0 - q0) < alpha && iabs(p1 - p0) < beta && iabs(q1 - q0) < beta))
        return;
    const int maxv = (1 << pr->depth) - 1;
    const int ap = iabs(p2 - p0) < beta, aq = iabs(q2 - q0) < beta;
    const int tc = tc0 + ap + aq;
    const int delta = clampi(((q0 - p0) * 4 + (p1 - q1) + 4) >> 3, -tc, tc);
    const int avg = (p0 + q0 + 1) >> 1;
    s[-step] = (uint16_t)clampi(p0 + delta, 0, maxv);
    s[0] = (uint16_t)clampi(q0 - delta, 0, maxv);
    if (ap)
        s[-2 * step] = (uint16_t)(p1 + clampi((p2 + avg - 2 * p1) >> 1, -tc0, tc0));
    if (aq)
        s[step] = (uint16_t)(q1 + clampi((q2 + avg - 2 * q1) >> 1, -tc0, tc0));
}

void aim_deblock_row(uint16_t *row, int w, const AimRestoreParams *p)
{
    for (int x = 8; x + 2 < w; x += 8)
        edge_filter(row + x, 1, p);
}

void aim_deblock_hedge(uint16_t *plane, ptrdiff_t stride, int y, int w, const AimRestoreParams *p)
{
    uint16_t *row = plane + y * stride;
    for (int x = 0; x < w; x++)
        edge_filter(row + x, stride, p);
}
