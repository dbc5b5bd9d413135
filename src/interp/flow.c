// DIS-style dense optical flow (see flow.h for the method and its sources).
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "flow.h"

#define PS AIM_FLOW_PATCH
#define B AIM_FLOW_BORDER
// The variational refinement runs on the coarse levels only (2 and up: 1/16 of the pixels
// and less): on the two finest it cost most of the flow time and moved no score by more than
// 0.05 dB / 0.0005 SSIM on the shared clips (anime's flat regions and hard lines are settled
// by the densified patches there; what the smoothness term adds is coarse-scale coherence).
#define VAR_MIN 2

static void *alloc_f(size_t n)
{
    // 64-byte aligned, rounded up so aligned_alloc's size rule holds; zeroed (borders of
    // gradient planes are read by nothing, but defined memory keeps sanitizers quiet).
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64 + 64;
    void *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

static int plane_alloc(AimPlaneF *p, int w, int h)
{
    p->w = w;
    p->h = h;
    p->stride = (w + 2 * B + 15) / 16 * 16;
    p->base = alloc_f((size_t)p->stride * (size_t)(h + 2 * B) + 16);
    if (!p->base)
        return AIM_ERR(ENOMEM);
    p->data = p->base + B * p->stride + B;
    return 0;
}

static void plane_pad(AimPlaneF *p)
{
    for (int y = 0; y < p->h; y++) {
        float *r = p->data + y * p->stride;
        for (int i = 1; i <= B; i++) {
            r[-i] = r[0];
            r[p->w - 1 + i] = r[p->w - 1];
        }
    }
    size_t row = (size_t)(p->w + 2 * B) * sizeof(float);
    for (int i = 1; i <= B; i++) {
        memcpy(p->data - i * p->stride - B, p->data - B, row);
        memcpy(p->data + (p->h - 1 + i) * p->stride - B, p->data + (p->h - 1) * p->stride - B, row);
    }
}

int aim_flow_pyr_alloc(AimFlowPyr *p, int w, int h, int levels)
{
    memset(p, 0, sizeof(*p));
    if (levels < 1 || levels > AIM_FLOW_MAX_LEVELS)
        return AIM_ERR(EINVAL);
    for (int l = 0; l < levels; l++) {
        if (w < PS + 1 || h < PS + 1) {
            aim_flow_pyr_free(p);
            return AIM_ERR(EINVAL);
        }
        p->levels = l + 1;
        if (plane_alloc(&p->img[l], w, h) < 0 || plane_alloc(&p->gx[l], w, h) < 0 ||
            plane_alloc(&p->gy[l], w, h) < 0) {
            aim_flow_pyr_free(p);
            return AIM_ERR(ENOMEM);
        }
        w /= 2;
        h /= 2;
    }
    return 0;
}

void aim_flow_pyr_free(AimFlowPyr *p)
{
    for (int l = 0; l < AIM_FLOW_MAX_LEVELS; l++) {
        free(p->img[l].base);
        free(p->gx[l].base);
        free(p->gy[l].base);
    }
    memset(p, 0, sizeof(*p));
}

static void level_grads(AimFlowPyr *p, int l, const AimInterpDsp *dsp)
{
    AimPlaneF *im = &p->img[l];
    plane_pad(im);
    for (int y = 0; y < im->h; y++)
        dsp->grad(p->gx[l].data + y * p->gx[l].stride, p->gy[l].data + y * p->gy[l].stride,
                  im->data + y * im->stride, im->stride, im->w);
}

void aim_flow_pyr_build(AimFlowPyr *p, const AimFrame *f, int d, const AimInterpDsp *dsp)
{
    AimPlaneF *im = &p->img[0];
    float scale = 1.0f / (float)(d * d) / (float)(1 << (f->depth - 8));
    for (int y = 0; y < im->h; y++)
        dsp->luma_down(im->data + y * im->stride, f->data[0] + (ptrdiff_t)y * d * f->stride[0],
                       f->stride[0], im->w, d, scale);
    level_grads(p, 0, dsp);
    for (int l = 1; l < p->levels; l++) {
        AimPlaneF *s = &p->img[l - 1], *o = &p->img[l];
        for (int y = 0; y < o->h; y++)
            dsp->down2(o->data + y * o->stride, s->data + 2 * y * s->stride,
                       s->data + (2 * y + 1) * s->stride, o->w);
        level_grads(p, l, dsp);
    }
}

// ------------------------------------------------------------------------------------------

struct AimFlow {
    AimFlowSettings s;
    int lw[AIM_FLOW_MAX_LEVELS], lh[AIM_FLOW_MAX_LEVELS];
    float *u[AIM_FLOW_MAX_LEVELS], *v[AIM_FLOW_MAX_LEVELS]; ///< dense flow per level (stride lw)
    float *pu, *pv, *pmean;      ///< per patch results (level-0 grid is the largest)
    int *gx, *gy;                ///< patch grid coordinates of the current level
    float *acc_u, *acc_v, *acc_w;
    // variational refinement scratch (level-0 size)
    float *Ix, *Iy, *Iz, *Ixz, *Iyz, *a11, *a12, *a22, *b1, *b2, *ws, *wr, *wd, *du, *dv;
    double t_search, t_dens, t_var;
};

int aim_flow_auto_levels(int w, int h)
{
    // OpenCV DIS: coarsest scale = round(log2(max(w,h) / (4 * patch))), i.e. about four
    // patches across the coarsest image; then capped so every level holds a patch.
    int m = w > h ? w : h;
    int l = (int)floor(log2((double)m / (4.0 * PS)) + 0.5);
    if (l < 0)
        l = 0;
    int levels = l + 1;
    while (levels > 1 && ((w >> (levels - 1)) < PS + 1 || (h >> (levels - 1)) < PS + 1))
        levels--;
    if (levels > AIM_FLOW_MAX_LEVELS)
        levels = AIM_FLOW_MAX_LEVELS;
    return levels;
}

void aim_flow_default_settings(AimFlowSettings *s, int w, int h, const AimInterpDsp *dsp)
{
    memset(s, 0, sizeof(*s));
    s->w = w;
    s->h = h;
    s->levels = aim_flow_auto_levels(w, h);
    s->finest = 0;
    // OpenCV DIS presets: patch 8 with stride 4 ("fast") or 6 ("ultrafast"), 16 (12)
    // iterations, 5 refinement sweeps, alpha 20, gamma 10, delta 5. Stride 6 and 12 iterations
    // scored the same as 4 and 16 on the shared clips (bench/RESULTS-interp.md) at 60% of the
    // search time.
    s->patch_stride = 6;
    s->iters = 12;
    // RMS 1 level per pixel: at or below compression noise, where the search cannot improve on
    // the candidate. Most anime patches are flat or still. On dbz it took the search from
    // 1.76-2.04 to 1.45-1.48 ms per frame with the scores within 0.0004 (bench/RESULTS-
    // interp.md). 128-256 saved more on the clips but moved the synthetic outlined disc
    // (tests/unit/interp) by 1 px: a flat template patch has no gradient to correct a
    // candidate, only the neighbours' candidates can, and those were skipped.
    s->accept_ssd = 64.0f;
    s->var_iters = 5;
    s->alpha = 20.0f;
    s->gamma = 10.0f;
    s->delta = 5.0f;
    s->dsp = dsp;

}

void aim_flow_destroy(AimFlow **pf)
{
    if (!pf || !*pf)
        return;
    AimFlow *f = *pf;
    for (int l = 0; l < AIM_FLOW_MAX_LEVELS; l++) {
        free(f->u[l]);
        free(f->v[l]);
    }
    float **bufs[] = { &f->pu, &f->pv, &f->pmean, &f->acc_u, &f->acc_v, &f->acc_w, &f->Ix,
                       &f->Iy, &f->Iz, &f->Ixz, &f->Iyz, &f->a11, &f->a12, &f->a22, &f->b1,
                       &f->b2, &f->ws, &f->wr, &f->wd, &f->du, &f->dv };
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        free(*bufs[i]);
    free(f->gx);
    free(f->gy);
    free(f);
    *pf = NULL;
}

int aim_flow_create(AimFlow **out, const AimFlowSettings *s)
{
    if (!out || !s || !s->dsp || s->levels < 1 || s->levels > AIM_FLOW_MAX_LEVELS ||
        s->finest < 0 || s->finest >= s->levels || s->patch_stride < 1 ||
        s->patch_stride > PS || s->iters < 1 || s->var_iters < 0)
        return AIM_ERR(EINVAL);
    AimFlow *f = calloc(1, sizeof(*f));
    if (!f)
        return AIM_ERR(ENOMEM);
    f->s = *s;
    int w = s->w, h = s->h;
    for (int l = 0; l < s->levels; l++) {
        if (w < PS + 1 || h < PS + 1) {
            aim_flow_destroy(&f);
            return AIM_ERR(EINVAL);
        }
        f->lw[l] = w;
        f->lh[l] = h;
        f->u[l] = alloc_f((size_t)w * h);
        f->v[l] = alloc_f((size_t)w * h);
        if (!f->u[l] || !f->v[l]) {
            aim_flow_destroy(&f);
            return AIM_ERR(ENOMEM);
        }
        w /= 2;
        h /= 2;
    }
    size_t n = (size_t)s->w * s->h;
    size_t np = (size_t)(s->w / s->patch_stride + 2) * (s->h / s->patch_stride + 2);
    float **pb[] = { &f->pu, &f->pv, &f->pmean };
    for (int i = 0; i < 3; i++)
        if (!(*pb[i] = alloc_f(np))) {
            aim_flow_destroy(&f);
            return AIM_ERR(ENOMEM);
        }
    float **bufs[] = { &f->acc_u, &f->acc_v, &f->acc_w, &f->Ix, &f->Iy, &f->Iz, &f->Ixz,
                       &f->Iyz, &f->a11, &f->a12, &f->a22, &f->b1, &f->b2, &f->ws, &f->wr,
                       &f->wd, &f->du, &f->dv };
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        if (!(*bufs[i] = alloc_f(n))) {
            aim_flow_destroy(&f);
            return AIM_ERR(ENOMEM);
        }
    f->gx = calloc((size_t)s->w / s->patch_stride + 2, sizeof(int));
    f->gy = calloc((size_t)s->h / s->patch_stride + 2, sizeof(int));
    if (!f->gx || !f->gy) {
        aim_flow_destroy(&f);
        return AIM_ERR(ENOMEM);
    }
    *out = f;
    return 0;
}

const float *aim_flow_u(const AimFlow *f) { return f->u[0]; }
const float *aim_flow_v(const AimFlow *f) { return f->v[0]; }
void aim_flow_times(const AimFlow *f, double t[3])
{
    t[0] = f->t_search;
    t[1] = f->t_dens;
    t[2] = f->t_var;
}

// Patch top-left positions along one axis: 0, stride, 2*stride ... and n - PS last.
static int grid(int *pos, int n, int stride)
{
    int k = 0;
    for (int p = 0; p <= n - PS; p += stride)
        pos[k++] = p;
    if (pos[k - 1] != n - PS)
        pos[k++] = n - PS;
    return k;
}

// Upsamples level l+1's flow into level l (values doubled), bilinear with pixel centres
// aligned (weights 1/4, 3/4), clamped at the edges; level l may be one wider/taller than twice.
// Separable: each output row first blends its two source rows (tmp), then the columns; the
// clamped ends are done apart so the inner loop has no clamps.
static void upsample_flow(AimFlow *f, int l)
{
    const int w = f->lw[l], h = f->lh[l], cw = f->lw[l + 1], ch = f->lh[l + 1];
    float *tmp = f->acc_u; // free until densify_level (level-0 size >= cw)
    for (int c = 0; c < 2; c++) {
        const float *src = c ? f->v[l + 1] : f->u[l + 1];
        float *dst = c ? f->v[l] : f->u[l];
        for (int y = 0; y < h; y++) {
            // source row coordinate (y + 0.5) / 2 - 0.5: rows y/2 - 1 + (y & 1) and the next
            int r0 = (y >> 1) - 1 + (y & 1), r1 = r0 + 1;
            float wy1 = (y & 1) ? 0.25f : 0.75f;
            r0 = r0 < 0 ? 0 : r0 > ch - 1 ? ch - 1 : r0;
            r1 = r1 < 0 ? 0 : r1 > ch - 1 ? ch - 1 : r1;
            f->s.dsp->flow_up_row(dst + y * w, tmp, src + r0 * cw, src + r1 * cw, wy1, cw, w);
        }
    }
}

typedef struct PatchTmpl {
    const float *tp, *gx, *gy;
    ptrdiff_t st;
    float sgx, sgy, hxx, hxy, hyy, det;
} PatchTmpl;

// Evaluates the patch at displacement (u, v) of the top-left (px, py): fills out[4], returns
// the mean-normalised SSD.
static inline float eval(const AimInterpDsp *dsp, const PatchTmpl *pt, const AimPlaneF *I1,
                         int px, int py, float u, float v, float out[4])
{
    float X = (float)px + u, Y = (float)py + v;
    int ix = aim_ifloor(X), iy = aim_ifloor(Y);
    dsp->patch_step(out, I1->data + iy * I1->stride + ix, I1->stride, X - (float)ix,
                    Y - (float)iy, pt->tp, pt->gx, pt->gy, pt->st);
    return out[3] - out[2] * out[2] * (1.0f / (PS * PS));
}

static inline float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

static void search_level(AimFlow *f, int l, const AimFlowPyr *a, const AimFlowPyr *b, int nx,
                         int ny)
{
    const AimInterpDsp *dsp = f->s.dsp;
    const AimPlaneF *T = &a->img[l], *TX = &a->gx[l], *TY = &a->gy[l], *I1 = &b->img[l];
    const int w = f->lw[l], h = f->lh[l];
    const float *U = f->u[l], *V = f->v[l];
    const float n = PS * PS;
    for (int j = 0; j < ny; j++) {
        int py = f->gy[j];
        float vlo = (float)(-B - py), vhi = (float)(h + B - PS - 1 - py);
        for (int i = 0; i < nx; i++) {
            int px = f->gx[i], idx = j * nx + i;
            float ulo = (float)(-B - px), uhi = (float)(w + B - PS - 1 - px);
            PatchTmpl pt = { .tp = T->data + py * T->stride + px,
                             .gx = TX->data + py * TX->stride + px,
                             .gy = TY->data + py * TY->stride + px, .st = T->stride };
            // Candidates: the coarser level's flow at the patch centre, the left and the upper
            // neighbour's result (spatial propagation).
            float cu[3], cv[3];
            int nc = 0;
            int c = (py + PS / 2) * w + px + PS / 2;
            cu[nc] = U[c], cv[nc++] = V[c];
            if (i > 0)
                cu[nc] = f->pu[idx - 1], cv[nc++] = f->pv[idx - 1];
            if (j > 0)
                cu[nc] = f->pu[idx - nx], cv[nc++] = f->pv[idx - nx];
            float bu = clampf(cu[0], ulo, uhi), bv = clampf(cv[0], vlo, vhi), bout[4], out[4];
            float best = eval(dsp, &pt, I1, px, py, bu, bv, bout);
            if (l == 0 && best < f->s.accept_ssd) { // already below the noise (flow.h)
                f->pu[idx] = bu;
                f->pv[idx] = bv;
                f->pmean[idx] = bout[2] / n;
                continue;
            }
            for (int k = 1; k < nc; k++) {
                float uu = clampf(cu[k], ulo, uhi), vv = clampf(cv[k], vlo, vhi);
                float e = eval(dsp, &pt, I1, px, py, uu, vv, out);
                if (e < best) {
                    best = e, bu = uu, bv = vv;
                    memcpy(bout, out, sizeof(out));
                }
            }
            float hs[5];
            dsp->patch_hess(hs, pt.gx, pt.gy, pt.st);
            const float sgx = hs[0], sgy = hs[1], sxx = hs[2], sxy = hs[3], syy = hs[4];
            // Mean-normalised Hessian; the diagonal gets a small floor (1e-2 per pixel in
            // 8-bit units squared, far below any textured patch) so flat patches stay solvable.
            pt.hxx = sxx - sgx * sgx / n + 0.01f * n;
            pt.hyy = syy - sgy * sgy / n + 0.01f * n;
            pt.hxy = sxy - sgx * sgy / n;
            pt.det = pt.hxx * pt.hyy - pt.hxy * pt.hxy;
            pt.sgx = sgx;
            pt.sgy = sgy;
            float uu = bu, vv = bv;
            memcpy(out, bout, sizeof(out));
            for (int it = 0; it < f->s.iters; it++) {
                float bx = out[0] - pt.sgx * out[2] / n, by = out[1] - pt.sgy * out[2] / n;
                float du = (pt.hyy * bx - pt.hxy * by) / pt.det;
                float dv = (pt.hxx * by - pt.hxy * bx) / pt.det;
                uu = clampf(uu - du, ulo, uhi);
                vv = clampf(vv - dv, vlo, vhi);
                float e = eval(dsp, &pt, I1, px, py, uu, vv, out);
                if (e < best) {
                    best = e, bu = uu, bv = vv;
                    memcpy(bout, out, sizeof(out));
                }
                // converged: the step is below 1/100 px (OpenCV DIS stops at a similar size)
                if (du * du + dv * dv < 1e-4f)
                    break;
            }
            f->pu[idx] = bu;
            f->pv[idx] = bv;
            f->pmean[idx] = bout[2] / n;
        }
    }
}

static void densify_level(AimFlow *f, int l, const AimFlowPyr *a, const AimFlowPyr *b, int nx,
                          int ny)
{
    const AimInterpDsp *dsp = f->s.dsp;
    const AimPlaneF *T = &a->img[l], *I1 = &b->img[l];
    const int w = f->lw[l], h = f->lh[l];
    size_t n = (size_t)w * h;
    // The coarser level's flow enters with a small weight (a patch with a 100-level error
    // weighs 0.01 too): where every covering patch matched outside the picture, the flow is
    // extrapolated from the coarser level instead of taken from the replicated border.
    const float prior = 0.01f;
    // restrict: the buffers never overlap (lets the compiler vectorise the whole-grid loops)
    float *restrict U = f->u[l], *restrict V = f->v[l];
    float *restrict au = f->acc_u, *restrict av = f->acc_v, *restrict aw = f->acc_w;
    for (size_t k = 0; k < n; k++) {
        au[k] = prior * U[k];
        av[k] = prior * V[k];
        aw[k] = prior;
    }
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            int px = f->gx[i], py = f->gy[j], idx = j * nx + i;
            float X = (float)px + f->pu[idx], Y = (float)py + f->pv[idx];
            int ix = aim_ifloor(X), iy = aim_ifloor(Y);
            // a patch displaced half out of the picture matched padding, not content
            if (X < -PS / 2 || Y < -PS / 2 || X > (float)(w - PS / 2) || Y > (float)(h - PS / 2))
                continue;
            dsp->patch_densify(f->acc_u + py * w + px, f->acc_v + py * w + px,
                               f->acc_w + py * w + px, w, I1->data + iy * I1->stride + ix,
                               I1->stride, X - (float)ix, Y - (float)iy,
                               T->data + py * T->stride + px, T->stride, f->pmean[idx],
                               f->pu[idx], f->pv[idx]);
        }
    for (size_t k = 0; k < n; k++) {
        float iw = 1.0f / aw[k]; // >= prior everywhere
        U[k] = au[k] * iw;
        V[k] = av[k] * iw;
    }
}

// Variational refinement (see flow.h); the row kernels and their constants are in
// interp_dsp.c (aim_var_*_row_c). Scratch use: the out-of-picture flags go to wr until the
// edge weights overwrite it, the inverted diagonals to Ix and Iy once the coefficients are done.
static void refine_level(AimFlow *f, int l, const AimFlowPyr *a, const AimFlowPyr *b)
{
    const AimInterpDsp *dsp = f->s.dsp;
    const int w = f->lw[l], h = f->lh[l];
    const AimPlaneF *I0 = &a->img[l], *G0x = &a->gx[l], *G0y = &a->gy[l];
    const AimPlaneF *I1 = &b->img[l], *G1x = &b->gx[l], *G1y = &b->gy[l];
    float *U = f->u[l], *V = f->v[l];
    // every plane of a level has the same size, so one stride (plane_alloc)
    for (int y = 0; y < h; y++) {
        const ptrdiff_t k = (ptrdiff_t)y * w;
        const AimVarData d = { .ix = f->Ix + k, .iy = f->Iy + k, .iz = f->Iz + k,
                               .ixz = f->Ixz + k, .iyz = f->Iyz + k, .out = f->wr + k,
                               .u = U + k, .v = V + k, .i0 = I0->data + y * I0->stride,
                               .g0x = G0x->data + y * G0x->stride,
                               .g0y = G0y->data + y * G0y->stride, .i1 = I1->data,
                               .g1x = G1x->data, .g1y = G1y->data, .s1 = I1->stride, .w = w,
                               .h = h, .y = y };
        dsp->var_data_row(&d);
    }
    for (int y = 0; y < h; y++) {
        const ptrdiff_t k = (ptrdiff_t)y * w;
        const ptrdiff_t km = (ptrdiff_t)(y > 0 ? y - 1 : 0) * w;
        const ptrdiff_t kp = (ptrdiff_t)(y < h - 1 ? y + 1 : h - 1) * w;
        const AimVarCoef c = { .a11 = f->a11 + k, .a12 = f->a12 + k, .a22 = f->a22 + k,
                               .b1 = f->b1 + k, .b2 = f->b2 + k, .ws = f->ws + k,
                               .ix = f->Ix + k, .iy = f->Iy + k, .iz = f->Iz + k,
                               .ixz = f->Ixz + k, .iyz = f->Iyz + k, .out = f->wr + k,
                               .ix_up = f->Ix + km, .ix_dn = f->Ix + kp, .iy_up = f->Iy + km,
                               .iy_dn = f->Iy + kp, .u = U + k, .v = V + k, .u_dn = U + kp,
                               .v_dn = V + kp, .w = w, .alpha = f->s.alpha,
                               .gamma = f->s.gamma, .delta = f->s.delta };
        dsp->var_coef_row(&c);
    }
    // edge weights: wr between (x,y) and (x+1,y), wd between (x,y) and (x,y+1); 0 at the border
    for (int y = 0; y < h; y++) {
        const ptrdiff_t k = (ptrdiff_t)y * w;
        const AimVarDiag g = { .wr = f->wr + k, .wd = f->wd + k, .i11 = f->Ix + k,
                               .i22 = f->Iy + k, .ws = f->ws + k,
                               .ws_dn = y < h - 1 ? f->ws + k + w : NULL,
                               .wd_up = y > 0 ? f->wd + k - w : NULL, .a11 = f->a11 + k,
                               .a22 = f->a22 + k, .w = w };
        dsp->var_diag_row(&g);
    }
    // The sweeps work on red-black split rows (interp_dsp.h var_split_row), written to buffers
    // that are free by now (the data terms, a11, a22, ws, and the densification accumulators,
    // free until the next level's upsample_flow).
    float *const Us = f->acc_u, *const Vs = f->acc_v, *const wrs = f->acc_w, *const wds = f->Iz;
    float *const b1s = f->Ixz, *const b2s = f->Iyz, *const a12s = f->a11, *const i11s = f->a22;
    float *const i22s = f->ws;
    const float *const from[] = { U, V, f->wr, f->wd, f->b1, f->b2, f->a12, f->Ix, f->Iy };
    float *const to[] = { Us, Vs, wrs, wds, b1s, b2s, a12s, i11s, i22s };
    for (int y = 0; y < h; y++)
        for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
            dsp->var_split_row(to[i] + (ptrdiff_t)y * w, from[i] + (ptrdiff_t)y * w, w);
    memset(f->du, 0, (size_t)w * h * sizeof(float));
    memset(f->dv, 0, (size_t)w * h * sizeof(float));
    const float omega = 1.6f; // OpenCV VariationalRefinement's SOR relaxation
    for (int it = 0; it < f->s.var_iters; it++)
        for (int color = 0; color < 2; color++)
            for (int y = 0; y < h; y++) {
                const ptrdiff_t k = (ptrdiff_t)y * w;
                const AimVarSor r = { .du = f->du + k, .dv = f->dv + k, .u = Us + k,
                                      .v = Vs + k, .wr = wrs + k, .wd = wds + k,
                                      .b1 = b1s + k, .b2 = b2s + k, .a12 = a12s + k,
                                      .i11 = i11s + k, .i22 = i22s + k, .w = w,
                                      .x0 = (y + color) & 1, .up = y > 0, .down = y < h - 1,
                                      .omega = omega };
                dsp->var_sor_row(&r);
            }
    // back to plain rows, adding the updates (U + du, as before the split)
    for (int y = 0; y < h; y++) {
        const ptrdiff_t k = (ptrdiff_t)y * w;
        dsp->var_merge_row(U + k, Us + k, f->du + k, w);
        dsp->var_merge_row(V + k, Vs + k, f->dv + k, w);
    }
}

void aim_flow_compute(AimFlow *f, const AimFlowPyr *a, const AimFlowPyr *b)
{
    const int top = f->s.levels - 1;
    memset(f->u[top], 0, sizeof(float) * f->lw[top] * f->lh[top]);
    memset(f->v[top], 0, sizeof(float) * f->lw[top] * f->lh[top]);
    for (int l = top; l >= f->s.finest; l--) {
        if (l < top)
            upsample_flow(f, l);
        int nx = grid(f->gx, f->lw[l], f->s.patch_stride);
        int ny = grid(f->gy, f->lh[l], f->s.patch_stride);
        double t0 = aim_now_s();
        search_level(f, l, a, b, nx, ny);
        double t1 = aim_now_s();
        densify_level(f, l, a, b, nx, ny);
        double t2 = aim_now_s();
        if (f->s.var_iters && l >= VAR_MIN)
            refine_level(f, l, a, b);
        f->t_search += t1 - t0;
        f->t_dens += t2 - t1;
        f->t_var += aim_now_s() - t2;
    }
    for (int l = f->s.finest - 1; l >= 0; l--)
        upsample_flow(f, l);
}
