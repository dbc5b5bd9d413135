// The classic engine: optical flow interpolation for anime (see interp.h and flow.h).
//
// Per pair (set_pair): luma pyramids of both frames at 1/d resolution, dense flow both ways
// (the two directions run as two jobs), and per source pixel a splat quality from the
// forward-backward consistency of its flow.
// Per frame (render at t), on the flow grid:
//   1. splat: every pixel of f0 moves to p + t*F01(p), every pixel of f1 to p + (1-t)*F10(p),
//      carrying its motion (as f0 -> f1) with weight bilinear x quality x temporal nearness;
//      positions nothing lands on (holes) are filled by pull-push.
//   2. visibility: the point at q with motion m is seen in f0 at q - t*m if F01 there agrees
//      with m, in f1 at q + (1-t)*m if F10 there agrees with -m; each side is weighted by its
//      visibility and temporal nearness ((1-t) for f0, t for f1).
//   3. ANIME RULE "no ghosts": where neither side is visible (inconsistent flow) or where both
//      are but the two warped luma samples disagree (a large warp error: the flow is wrong and
//      blending would show two drawings), the flow is not trusted and that area falls back to
//      the nearer source frame, unwarped (f0 for t <= 0.5). The trust is a smooth ramp so the
//      fallback has no hard seam.
// Then at full resolution, per plane (chroma with the flow scaled to its size), the field is
// upsampled bilinearly and both frames are warped and weighted (warp_row kernel).
// ANIME RULE "static is exact": pixels of static blocks are copied bit-exactly from f0 by the
// dispatcher; f0 == f1 renders f0 exactly.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "flow.h"

enum { ST_PYR, ST_SEARCH, ST_DENS, ST_VAR, ST_QUAL, ST_FIELD, ST_WARP, ST_N };
static const char *const stage_names[ST_N] = {
    "pyramid", "patch search", "densify", "variational", "consistency", "field at t", "warp",
};

#define PP_MAX 16

typedef struct Classic {
    AimInterpSettings s;
    AimInterpDsp dsp;
    int d, fw, fh;
    int njobs;
    AimFlowPyr pyr[2];
    AimFlow *flow[2];  ///< [0]: f0 -> f1 (template f0), [1]: f1 -> f0
    const AimFrame *f[2];
    int identical;
    float *qual[2];    ///< splat quality per source pixel of each frame
    float *acc[2][3];  ///< splat accumulators (u, v, weight) per direction
    int npp, ppw[PP_MAX], pph[PP_MAX];
    float *pp[PP_MAX][3]; ///< pull-push pyramid (u, v, confidence); level 0 = the field
    float *fw0;        ///< weight of f0 per flow pixel (the field's u, v are pp[0][0..1])
    int32_t *xi[2];    ///< flow-grid column per plane column (luma, chroma)
    float *xf[2];
    float *scratch;    ///< per job: 3 flow rows + 3 plane rows
    size_t scratch_per_job;
    // current render
    AimFrame *out;
    float t;
    double st[ST_N];
} Classic;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void classic_destroy(void **priv)
{
    if (!priv || !*priv)
        return;
    Classic *e = *priv;
    for (int k = 0; k < 2; k++) {
        aim_flow_pyr_free(&e->pyr[k]);
        aim_flow_destroy(&e->flow[k]);
        free(e->qual[k]);
        for (int c = 0; c < 3; c++)
            free(e->acc[k][c]);
        free(e->xi[k]);
        free(e->xf[k]);
    }
    for (int l = 0; l < PP_MAX; l++)
        for (int c = 0; c < 3; c++)
            free(e->pp[l][c]);
    free(e->fw0);
    free(e->scratch);
    free(e);
    *priv = NULL;
}

static int auto_downscale(int w)
{
    // Flow on at most ~480 columns: 640 -> 320 (1/2), 1280 -> 320, 1920 -> 480 (1/4). The
    // flow grid then has enough patches for anime motion while the search stays a small part
    // of the frame time (bench/RESULTS-interp.md measures 1/2 vs 1/4 at 640x342).
    int d = 1;
    while (d < 8 && w / d > 480)
        d *= 2;
    return d;
}

static void fill_tables(int32_t *xi, float *xf, int pw, int fw)
{
    for (int x = 0; x < pw; x++) {
        float lx = ((float)x + 0.5f) * (float)fw / (float)pw - 0.5f;
        lx = lx < 0 ? 0 : lx > (float)(fw - 1) ? (float)(fw - 1) : lx;
        int i = (int)lx;
        i = i > fw - 2 ? fw - 2 : i;
        xi[x] = i;
        xf[x] = lx - (float)i;
    }
}

static int classic_create(void **priv, const AimInterpSettings *s)
{
    Classic *e = calloc(1, sizeof(*e));
    if (!e)
        return AIM_ERR(ENOMEM);
    e->s = *s;
    aim_interp_dsp_init(&e->dsp, s->cpu_flags);
    e->d = s->flow_downscale ? s->flow_downscale : auto_downscale(s->width);
    e->fw = s->width / e->d;
    e->fh = s->height / e->d;
    if (e->fw < 2 * AIM_FLOW_PATCH || e->fh < 2 * AIM_FLOW_PATCH) {
        aim_log(&s->log, AIM_LOG_ERROR, "interp: flow grid %dx%d too small (frame %dx%d / %d)",
                e->fw, e->fh, s->width, s->height, e->d);
        free(e);
        return AIM_ERR(EINVAL);
    }
    AimFlowSettings fs;
    aim_flow_default_settings(&fs, e->fw, e->fh, &e->dsp);
    int err = 0;
    size_t n = (size_t)e->fw * e->fh;
    for (int k = 0; k < 2 && !err; k++) {
        err = aim_flow_pyr_alloc(&e->pyr[k], e->fw, e->fh, fs.levels);
        if (!err)
            err = aim_flow_create(&e->flow[k], &fs);
        if (!err && !(e->qual[k] = malloc(n * sizeof(float))))
            err = AIM_ERR(ENOMEM);
        for (int c = 0; c < 3 && !err; c++)
            if (!(e->acc[k][c] = malloc(n * sizeof(float))))
                err = AIM_ERR(ENOMEM);
    }
    // pull-push pyramid down to one pixel
    int w = e->fw, h = e->fh;
    for (e->npp = 0; !err && e->npp < PP_MAX; e->npp++) {
        e->ppw[e->npp] = w;
        e->pph[e->npp] = h;
        for (int c = 0; c < 3 && !err; c++)
            if (!(e->pp[e->npp][c] = malloc((size_t)w * h * sizeof(float))))
                err = AIM_ERR(ENOMEM);
        if (w == 1 && h == 1) {
            e->npp++;
            break;
        }
        w = (w + 1) / 2;
        h = (h + 1) / 2;
    }
    if (!err && !(e->fw0 = malloc(n * sizeof(float))))
        err = AIM_ERR(ENOMEM);
    int pws[2] = { s->width, aim_chroma_w(s->width) };
    for (int k = 0; k < 2 && !err; k++) {
        e->xi[k] = malloc((size_t)pws[k] * sizeof(int32_t));
        e->xf[k] = malloc((size_t)pws[k] * sizeof(float));
        if (!e->xi[k] || !e->xf[k])
            err = AIM_ERR(ENOMEM);
        else
            fill_tables(e->xi[k], e->xf[k], pws[k], e->fw);
    }
    // Row jobs: a few per thread so uneven bands even out.
    e->njobs = 4 * aim_pool_threads(s->pool);
    // + 8 floats of slack per row: SIMD kernels may read one vector past a row's end
    e->scratch_per_job = (size_t)3 * (e->fw + 8) + (size_t)3 * (s->width + 8);
    if (!err && !(e->scratch = malloc(e->scratch_per_job * e->njobs * sizeof(float))))
        err = AIM_ERR(ENOMEM);
    if (err) {
        void *p = e;
        classic_destroy(&p);
        return err;
    }
    aim_log(&s->log, AIM_LOG_DEBUG, "interp classic: flow %dx%d (1/%d), %d levels, isa %u",
            e->fw, e->fh, e->d, fs.levels, e->dsp.isa);
    *priv = e;
    return 0;
}

static int frames_identical(const AimFrame *a, const AimFrame *b)
{
    for (int p = 0; p < 3; p++) {
        int w = aim_plane_w(a, p), h = aim_plane_h(a, p);
        for (int y = 0; y < h; y++)
            if (memcmp(a->data[p] + y * a->stride[p], b->data[p] + y * b->stride[p],
                       (size_t)w * 2))
                return 0;
    }
    return 1;
}

static void pyr_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    aim_flow_pyr_build(&e->pyr[job], e->f[job], e->d, &e->dsp);
}

static void flow_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    aim_flow_compute(e->flow[job], &e->pyr[job], &e->pyr[!job]);
}

// Splat quality of each pixel of frame `job`: 1 / (1 + c^2), c = forward-backward mismatch in
// flow-grid pixels (a consistent pixel weighs ~1, one off by 3 px ~0.1), floored at 1e-3 so
// areas seen from one side only (disocclusions) are still filled by their own motion.
static void qual_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    const int w = e->fw, h = e->fh;
    const float *u = aim_flow_u(e->flow[job]), *v = aim_flow_v(e->flow[job]);
    const float *ou = aim_flow_u(e->flow[!job]), *ov = aim_flow_v(e->flow[!job]);
    float *q = e->qual[job];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int k = y * w + x;
            float X = (float)x + u[k], Y = (float)y + v[k];
            float cu = u[k] + aim_bilin_f(ou, w, w, h, X, Y);
            float cv = v[k] + aim_bilin_f(ov, w, w, h, X, Y);
            q[k] = 1.0f / (1.0f + cu * cu + cv * cv) + 1e-3f;
        }
}

static int classic_set_pair(void *priv, const AimFrame *f0, const AimFrame *f1,
                            const AimMotionMask *mask)
{
    Classic *e = priv;
    e->f[0] = f0;
    e->f[1] = f1;
    e->identical = frames_identical(f0, f1);
    if (e->identical)
        return 0;
    double t0 = now_s();
    aim_pool_run(e->s.pool, pyr_job, e, 2);
    double t1 = now_s();
    double before[2][3];
    for (int k = 0; k < 2; k++)
        aim_flow_times(e->flow[k], before[k]);
    aim_pool_run(e->s.pool, flow_job, e, 2);
    double t2 = now_s();
    aim_pool_run(e->s.pool, qual_job, e, 2);
    double t3 = now_s();
    // flow stages are shared out by their thread-time so the parts add up to the wall time
    double after[3] = { 0 }, tot = 0;
    for (int k = 0; k < 2; k++) {
        double t[3];
        aim_flow_times(e->flow[k], t);
        for (int i = 0; i < 3; i++) {
            after[i] += t[i] - before[k][i];
            tot += t[i] - before[k][i];
        }
    }
    for (int i = 0; i < 3; i++)
        e->st[ST_SEARCH + i] += tot > 0 ? (t2 - t1) * after[i] / tot : 0;
    e->st[ST_PYR] += t1 - t0;
    e->st[ST_QUAL] += t3 - t2;
    return 0;
}

// Splats frame `job`'s flow to time t into acc[job].
static void splat_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    const int w = e->fw, h = e->fh;
    const float t = e->t;
    const float *u = aim_flow_u(e->flow[job]), *v = aim_flow_v(e->flow[job]);
    const float *q = e->qual[job];
    // f0 travels t along F01; f1 travels (1-t) along F10 and carries -F10 as its f0->f1 motion
    const float step = job ? 1.0f - t : t, sign = job ? -1.0f : 1.0f;
    const float near = job ? t : 1.0f - t; // temporal distance to the other side: closer wins
    float *au = e->acc[job][0], *av = e->acc[job][1], *aw = e->acc[job][2];
    memset(au, 0, sizeof(float) * w * h);
    memset(av, 0, sizeof(float) * w * h);
    memset(aw, 0, sizeof(float) * w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int k = y * w + x;
            float X = (float)x + step * u[k], Y = (float)y + step * v[k];
            if (!(X > -1.0f && X < (float)w && Y > -1.0f && Y < (float)h))
                continue;
            int ix = (int)floorf(X), iy = (int)floorf(Y);
            float fx = X - (float)ix, fy = Y - (float)iy;
            // quality squared: where a consistent and an inconsistent pixel land on the same
            // spot (an occlusion), the consistent one's motion wins instead of a mixture
            float wq = q[k] * q[k] * (1.0f - near + 0.5f);
            float mu = sign * u[k], mv = sign * v[k];
            float ws[4] = { (1 - fx) * (1 - fy) * wq, fx * (1 - fy) * wq, (1 - fx) * fy * wq,
                            fx * fy * wq };
            int xs[4] = { ix, ix + 1, ix, ix + 1 }, ys[4] = { iy, iy, iy + 1, iy + 1 };
            for (int i = 0; i < 4; i++) {
                if (xs[i] < 0 || xs[i] >= w || ys[i] < 0 || ys[i] >= h)
                    continue;
                int kk = ys[i] * w + xs[i];
                au[kk] += ws[i] * mu;
                av[kk] += ws[i] * mv;
                aw[kk] += ws[i];
            }
        }
}

// Pull-push hole filling of pp[0] (values u, v with confidence c in [0,1]).
static void pull_push(Classic *e)
{
    for (int l = 1; l < e->npp; l++) {
        int w = e->ppw[l], h = e->pph[l], fw = e->ppw[l - 1], fh = e->pph[l - 1];
        float *const *F = e->pp[l - 1], *const *C = e->pp[l];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float su = 0, sv = 0, sc = 0;
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 2; i++) {
                        int xx = 2 * x + i, yy = 2 * y + j;
                        if (xx >= fw || yy >= fh)
                            continue;
                        int k = yy * fw + xx;
                        su += F[2][k] * F[0][k];
                        sv += F[2][k] * F[1][k];
                        sc += F[2][k];
                    }
                int k = y * w + x;
                C[0][k] = sc > 0 ? su / sc : 0;
                C[1][k] = sc > 0 ? sv / sc : 0;
                C[2][k] = sc > 1.0f ? 1.0f : sc;
            }
    }
    for (int l = e->npp - 2; l >= 0; l--) {
        int w = e->ppw[l], h = e->pph[l], cw = e->ppw[l + 1], ch = e->pph[l + 1];
        float *const *F = e->pp[l], *const *C = e->pp[l + 1];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int k = y * w + x;
                float c = F[2][k];
                if (c >= 1.0f)
                    continue;
                int kc = (y / 2) * cw + x / 2;
                (void)ch;
                F[0][k] = c * F[0][k] + (1 - c) * C[0][kc];
                F[1][k] = c * F[1][k] + (1 - c) * C[1][kc];
                F[2][k] = 1.0f;
            }
    }
}

static inline float smoothstep(float e0, float e1, float x)
{
    float t = (x - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

// Visibility, trust and the fallback rule on the flow grid (see the header comment).
static void field_at_t(Classic *e)
{
    const int w = e->fw, h = e->fh;
    const float t = e->t, t1 = 1.0f - t;
    const float *u01 = aim_flow_u(e->flow[0]), *v01 = aim_flow_v(e->flow[0]);
    const float *u10 = aim_flow_u(e->flow[1]), *v10 = aim_flow_v(e->flow[1]);
    const AimPlaneF *I0 = &e->pyr[0].img[0], *I1 = &e->pyr[1].img[0];
    float *U = e->pp[0][0], *V = e->pp[0][1], *C = e->pp[0][2];
    for (int k = 0; k < w * h; k++) {
        float aw = e->acc[0][2][k] + e->acc[1][2][k];
        float au = e->acc[0][0][k] + e->acc[1][0][k], av = e->acc[0][1][k] + e->acc[1][1][k];
        U[k] = aw > 0 ? au / aw : 0;
        V[k] = aw > 0 ? av / aw : 0;
        // a pixel reached by splats of total weight >= 1e-4 (one splat of quality 0.01 or
        // more) is known; less is a hole
        C[k] = aw >= 1e-4f ? 1.0f : aw * 1e4f;
    }
    pull_push(e);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int k = y * w + x;
            float mu = U[k], mv = V[k];
            float x0 = (float)x - t * mu, y0 = (float)y - t * mv;
            float x1 = (float)x + t1 * mu, y1 = (float)y + t1 * mv;
            float d0u = aim_bilin_f(u01, w, w, h, x0, y0) - mu;
            float d0v = aim_bilin_f(v01, w, w, h, x0, y0) - mv;
            float d1u = aim_bilin_f(u10, w, w, h, x1, y1) + mu;
            float d1v = aim_bilin_f(v10, w, w, h, x1, y1) + mv;
            // agreement: 1 when that side's flow at the sampled point equals m, 0.5 at one
            // grid pixel of mismatch
            float ag0 = 1.0f / (1.0f + d0u * d0u + d0v * d0v);
            float ag1 = 1.0f / (1.0f + d1u * d1u + d1v * d1v);
            // occlusion: the sampled point is owned by a reliably tracked pixel (consistent
            // flow) that goes elsewhere, so q is hidden on that side (the trailing edge of a
            // moving shape is hidden in f0, its leading edge in f1)
            float own0 = aim_bilin_f(e->qual[0], w, w, h, x0, y0);
            float own1 = aim_bilin_f(e->qual[1], w, w, h, x1, y1);
            float occ0 = (1.0f - ag0) * own0, occ1 = (1.0f - ag1) * own1;
            // each side by visibility and temporal nearness; a side with no evidence keeps a
            // small weight so the unoccluded side wins where one is occluded
            float w0 = t1 * (ag0 > 0.02f ? ag0 : 0.02f) * (1.0f - occ0);
            float w1 = t * (ag1 > 0.02f ? ag1 : 0.02f) * (1.0f - occ1);
            float W0 = w0 / (w0 + w1 + 1e-9f);
            // warp error between the two sides, 8-bit luma units
            float a = aim_bilin_f(I0->data, I0->stride, w, h, x0, y0);
            float b = aim_bilin_f(I1->data, I1->stride, w, h, x1, y1);
            float err = fabsf(a - b);
            // Trust. The samples may disagree where one side is hidden (that is what the
            // visibility weights are for); they must not disagree where both sides claim to see
            // the point, nor where nothing explains the point (no side agrees with m, no
            // occluder): then the flow is wrong there. Explained: ramp 0.2..0.5 (a mismatch under
            // 1..2 grid px). Disagreement: 24..48 levels (flat anime colours differ by far more
            // than that when the flow maps one drawing's colour onto another's).
            float ex = ag0 > ag1 ? ag0 : ag1;
            ex = occ0 > ex ? occ0 : ex;
            ex = occ1 > ex ? occ1 : ex;
            float unexplained = 1.0f - smoothstep(0.2f, 0.5f, ex);
            float both = ag0 * ag1;
            float bad = smoothstep(24.0f, 48.0f, err) * (both > unexplained ? both : unexplained);
            float trust = 1.0f - bad;
            // Fallback side: the nearer frame in time, weighed by how little that frame's
            // content at q moves (content that the flow shows leaving q, e.g. the trailing edge
            // of a moving shape, is not shown where it was); at t = 0.5 this breaks the tie.
            float m0 = u01[k] * u01[k] + v01[k] * v01[k], m1 = u10[k] * u10[k] + v10[k] * v10[k];
            // stay: 1 when still, 0.5 at 2 grid px of motion
            float fb0 = t1 / (1.0f + 0.25f * m0), fb1 = t / (1.0f + 0.25f * m1);
            const float fallback_w0 = fb0 >= fb1 ? 1.0f : 0.0f;
#ifdef AIM_INTERP_DEBUG // the accumulators are free now: keep the decision maps for dumps
            e->acc[0][0][k] = trust, e->acc[0][1][k] = ag0, e->acc[0][2][k] = ag1;
            e->acc[1][0][k] = occ0, e->acc[1][1][k] = occ1, e->acc[1][2][k] = err;
#endif
            U[k] = trust * mu;
            V[k] = trust * mv;
            e->fw0[k] = trust * W0 + (1.0f - trust) * fallback_w0;
        }
}

static void warp_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    const int fw = e->fw, fh = e->fh;
    float *sc = e->scratch + e->scratch_per_job * job;
    float *ru = sc, *rv = ru + fw + 8, *rw = rv + fw + 8;
    float *mx = rw + fw + 8, *my = mx + e->s.width + 8, *w0 = my + e->s.width + 8;
    const float *U = e->pp[0][0], *V = e->pp[0][1], *W = e->fw0;
    const int maxv = (1 << e->s.depth) - 1;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(e->out, p), ph = aim_plane_h(e->out, p), y0, y1;
        aim_interp_band(ph, job, njobs, &y0, &y1);
        const float sx = (float)pw / (float)fw, sy = (float)ph / (float)fh;
        const int32_t *xi = e->xi[p > 0];
        const float *xf = e->xf[p > 0];
        for (int y = y0; y < y1; y++) {
            float ly = ((float)y + 0.5f) * (float)fh / (float)ph - 0.5f;
            ly = ly < 0 ? 0 : ly > (float)(fh - 1) ? (float)(fh - 1) : ly;
            int iy = (int)ly;
            iy = iy > fh - 2 ? fh - 2 : iy;
            float fy = ly - (float)iy;
            const float *u0 = U + iy * fw, *v0 = V + iy * fw, *g0 = W + iy * fw;
            for (int x = 0; x < fw; x++) {
                ru[x] = u0[x] + fy * (u0[x + fw] - u0[x]);
                rv[x] = v0[x] + fy * (v0[x + fw] - v0[x]);
                rw[x] = g0[x] + fy * (g0[x + fw] - g0[x]);
            }
            e->dsp.field_row(mx, my, w0, ru, rv, rw, xi, xf, sx, sy, pw);
            e->dsp.warp_row(e->out->data[p] + y * e->out->stride[p], e->f[0]->data[p],
                            e->f[0]->stride[p], e->f[1]->data[p], e->f[1]->stride[p], pw, ph, y,
                            mx, my, w0, e->t, maxv, pw);
        }
    }
}

static int classic_render(void *priv, double t, AimFrame *out)
{
    Classic *e = priv;
    if (e->identical) {
        aim_frame_copy(out, e->f[0]);
        return 0;
    }
    e->out = out;
    e->t = (float)t;
    double t0 = now_s();
    aim_pool_run(e->s.pool, splat_job, e, 2);
    field_at_t(e);
    double t1 = now_s();
    aim_pool_run(e->s.pool, warp_job, e, e->njobs);
    double t2 = now_s();
    e->st[ST_FIELD] += t1 - t0;
    e->st[ST_WARP] += t2 - t1;
    return 0;
}

static void classic_stats(void *priv, AimInterpStats *st)
{
    Classic *e = priv;
    st->nstages = ST_N;
    for (int i = 0; i < ST_N; i++) {
        st->stage[i].name = stage_names[i];
        st->stage[i].seconds = e->st[i];
    }
}

const AimInterpEngine aim_interp_engine_classic = {
    .name = "classic", .create = classic_create, .set_pair = classic_set_pair,
    .render = classic_render, .destroy = classic_destroy, .get_stats = classic_stats,
};
