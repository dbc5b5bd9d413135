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
//      fallback has no hard seam. ANIME RULE "no tears": under a camera zoom a fallback region
//      grows until its border cuts no shape (grow_regions).
// Then at full resolution, per plane (chroma with the flow scaled to its size), the field is
// upsampled bilinearly and both frames are warped and weighted (warp_row kernel).
// ANIME RULE "static is exact": pixels of static blocks are copied bit-exactly from f0 by the
// dispatcher; f0 == f1 renders f0 exactly.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "engine.h"
#include "flow.h"

enum { ST_PYR, ST_SEARCH, ST_DENS, ST_VAR, ST_QUAL, ST_FIELD, ST_WARP, ST_N };
static const char *const stage_names[ST_N] = {
    "pyramid", "patch search", "densify", "variational", "consistency", "field at t", "warp",
};

#define PP_MAX 16
#define FB_BLOCK 8   // fallback block side in flow pixels (16 frame px at 1/2)
#define FB_MIN_BAD 4 // of 64 pixels: ~6%, a short stretch of a mismatched line
// A changed area (a connected group of blocks where the frames differ) counts as a redraw, and
// falls back as a whole, when more than this share of its blocks is untrusted (see
// redraw_areas). Measured on the shared clips (bench/RESULTS-interp.md): 0.30 to 0.5 score
// alike on dbz and jjk (all gain); above 0.40 onepiece's two redrawn head turns (40% and 43%
// untrusted) stay chimeras.
#define REDRAW_SHARE 0.35f
// ANIME RULE "no tears" (grow_regions): under a camera zoom of more than ZOOM_SCALE (flow_scale)
// a fallback region grows until its border lies where its frame and the warp agree within
// SEAM_LEVELS levels at all but FB_MIN_BAD of a block's flow pixels (24: fdiff's upper bound,
// the step the visibility rules take for two different colours). ZOOM_SCALE was measured on
// the shared clips (bench/RESULTS-interp.md, session 5): the pairs of jjk's push-in fit 0.003 to
// 0.067, 97 % of dbz's pairs and all of onepiece's but two stay under 0.006 (pans, talking
// heads); with regions also growing by up to their own size elsewhere, 0.005 cost dbz 0.03 dB
// PSNR-Y and 0.0075 left jjk 2124 harmed blocks (0.90 %) where 0.006 leaves 1711 (0.72 %).
// Growing regions outside zooms (unbounded, or by up to 1x / 3x their size) took dbz's pans
// whole (-1.28 dB) or cost onepiece 0.02 dB and dbz up to 0.16 dB: not kept.
#define SEAM_LEVELS 24.0f
#define ZOOM_SCALE 0.006f


typedef struct Classic {
    AimInterpSettings s;
    AimInterpDsp dsp;
    int d, fw, fh;
    int njobs;
    AimFlowPyr pyr[2];
    AimFlow *flow[2];  ///< [0]: f0 -> f1 (template f0), [1]: f1 -> f0
    const AimFrame *f[2];
    const AimMotionMask *mask; ///< the gate's moving blocks (the dispatcher's copy) or NULL
    int identical;
    float zoom;        ///< scale part of the flow f0 -> f1 (flow_scale), per pair
    float *qual[2];    ///< splat quality per source pixel of each frame
    float *acc[2];     ///< splat accumulators per direction: (u*w, v*w, w, 0) per flow pixel
    int npp, ppw[PP_MAX], pph[PP_MAX];
    float *pp[PP_MAX][3]; ///< pull-push pyramid (u, v, confidence); level 0 = the field
    float *fw0;        ///< weight of f0 per flow pixel (the field's u, v are pp[0][0..1])
    float *bad, *stay[2]; ///< per flow pixel: untrusted (0..1), stay evidence per side
    float *fdiff;      ///< per flow pixel: the frames differ there (0..1)
    int fbw, fbh;      ///< fallback block grid
    uint8_t *fb_raw, *fb_blk, *fb_dif;
    int *fb_label, *fb_stack, *fb_members;
    float *fb_side;
    int32_t *xi[2];    ///< flow-grid column per plane column (luma, chroma)
    float *xf[2];
    float *scratch;    ///< per job: 3 flow rows + 3 plane rows
    size_t scratch_per_job;
    // current render
    AimFrame *out;
    float t;
    double st[ST_N];
} Classic;

static void classic_destroy(void **priv)
{
    if (!priv || !*priv)
        return;
    Classic *e = *priv;
    for (int k = 0; k < 2; k++) {
        aim_flow_pyr_free(&e->pyr[k]);
        aim_flow_destroy(&e->flow[k]);
        free(e->qual[k]);
        free(e->acc[k]);
        free(e->xi[k]);
        free(e->xf[k]);
    }
    for (int l = 0; l < PP_MAX; l++)
        for (int c = 0; c < 3; c++)
            free(e->pp[l][c]);
    free(e->fw0);
    free(e->bad);
    free(e->fdiff);
    free(e->stay[0]);
    free(e->stay[1]);
    free(e->fb_raw);
    free(e->fb_blk);
    free(e->fb_dif);
    free(e->fb_label);
    free(e->fb_stack);
    free(e->fb_members);
    free(e->fb_side);
    free(e->scratch);
    free(e);
    *priv = NULL;
}

static int auto_downscale(int w, int h)
{
    // Flow on at most ~480 columns: 640 -> 320 (1/2), 1280 -> 320, 1920 -> 480 (1/4). The
    // flow grid then has enough patches for anime motion while the search stays a small part
    // of the frame time (bench/RESULTS-interp.md measures 1/2 vs 1/4 at 640x342). Never below
    // two patches of rows: a wide strip (2000x16) keeps more of its height.
    int d = 1;
    while (d < 8 && w / d > 480 && h / (2 * d) >= 2 * AIM_FLOW_PATCH)
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
    e->d = s->flow_downscale ? s->flow_downscale : auto_downscale(s->width, s->height);
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
        // zeroed here, then by field_norm after each use (splat_job adds into it)
        if (!err && !(e->acc[k] = calloc(4 * n, sizeof(float))))
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
    if (!err && (!(e->bad = malloc(n * sizeof(float))) || !(e->fdiff = malloc(n * sizeof(float))) || !(e->stay[0] = malloc(n * sizeof(float))) ||
                 !(e->stay[1] = malloc(n * sizeof(float)))))
        err = AIM_ERR(ENOMEM);
    e->fbw = (e->fw + FB_BLOCK - 1) / FB_BLOCK;
    e->fbh = (e->fh + FB_BLOCK - 1) / FB_BLOCK;
    size_t nb = (size_t)e->fbw * e->fbh;
    if (!err && (!(e->fb_raw = malloc(nb)) || !(e->fb_blk = malloc(nb)) ||
                 !(e->fb_dif = malloc(nb)) ||
                 !(e->fb_label = malloc(nb * sizeof(int))) ||
                 !(e->fb_stack = malloc(nb * sizeof(int))) ||
                 !(e->fb_members = malloc(nb * sizeof(int))) ||
                 !(e->fb_side = malloc(nb * sizeof(float)))))
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
    aim_log(&s->log, AIM_LOG_DEBUG,
            "interp classic: flow %dx%d (1/%d), %d levels, isa %u, untrusted flow: %s", e->fw,
            e->fh, e->d, fs.levels, e->dsp.isa,
            s->fallback == AIM_INTERP_FALLBACK_BLEND ? "blend" : "nearest frame");
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
        e->dsp.fb_qual_row(q + y * w, u + y * w, v + y * w, ou, ov, w, h, y);
}

// The scale part of the motion f0 -> f1 (a camera zoom): the least-squares fit of
// u = a + s (x - mx), v = b + s (y - my) over the flow grid, each pixel weighted by its
// forward-backward quality; returns s (0: a pan or still; 0.01: f1 shows the picture 1 %
// larger about the fit's centre, a zoom in; negative: a zoom out).
static float flow_scale(const Classic *e)
{
    const int w = e->fw, h = e->fh;
    const float *u = aim_flow_u(e->flow[0]), *v = aim_flow_v(e->flow[0]), *q = e->qual[0];
    double sw = 0, sx = 0, sy = 0, su = 0, sv = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int k = y * w + x;
            sw += q[k], sx += q[k] * x, sy += q[k] * y, su += q[k] * u[k], sv += q[k] * v[k];
        }
    double mx = sx / sw, my = sy / sw, mu = su / sw, mv = sv / sw, num = 0, den = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int k = y * w + x;
            double dx = x - mx, dy = y - my;
            num += q[k] * (dx * (u[k] - mu) + dy * (v[k] - mv));
            den += q[k] * (dx * dx + dy * dy);
        }
    return den > 0 ? (float)(num / den) : 0.0f;
}

static int classic_set_pair(void *priv, const AimFrame *f0, const AimFrame *f1,
                            const AimMotionMask *mask)
{
    Classic *e = priv;
    e->f[0] = f0;
    e->f[1] = f1;
    e->mask = mask;
    e->identical = frames_identical(f0, f1);
    if (e->identical)
        return 0;
    double t0 = aim_now_s();
    aim_pool_run(e->s.pool, pyr_job, e, 2);
    double t1 = aim_now_s();
    double before[2][3];
    for (int k = 0; k < 2; k++)
        aim_flow_times(e->flow[k], before[k]);
    aim_pool_run(e->s.pool, flow_job, e, 2);
    double t2 = aim_now_s();
    aim_pool_run(e->s.pool, qual_job, e, 2);
    e->zoom = flow_scale(e);
    double t3 = aim_now_s();
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
    // interleaved (u*w, v*w, w, 0): one 16-byte read-modify-write per target instead of three
    // (neighbouring sources hit the same targets back to back: store-forwarding chains)
    float *acc = e->acc[job];
    // acc is zero: calloc at create, then cleared by field_norm after each use
    // quality squared: where a consistent and an inconsistent pixel land on the same spot (an
    // occlusion), the consistent one's motion wins instead of a mixture
    for (int y = 0; y < h; y++)
        e->dsp.splat_row(acc, u + y * w, v + y * w, q + y * w, w, h, y, step, sign,
                         1.0f - near + 0.5f);
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

// blk[b] = 1 where at least FB_MIN_BAD of block b's flow pixels have v > 0.5.
static void mark_blocks(const Classic *e, const float *v, uint8_t *blk)
{
    const int w = e->fw, h = e->fh, bw = e->fbw, bh = e->fbh;
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            int n = 0;
            for (int y = by * FB_BLOCK; y < (by + 1) * FB_BLOCK && y < h; y++)
                for (int x = bx * FB_BLOCK; x < (bx + 1) * FB_BLOCK && x < w; x++)
                    n += v[y * w + x] > 0.5f;
            blk[by * bw + bx] = n >= FB_MIN_BAD;
        }
}

// The connected blocks of map around seed (set in map, not labelled yet): labels them seed in
// fb_label and lists them in fb_members in the order reached (depth-first); returns how many.
// Neighbours: reach 0, the four next to a block; reach r > 0, every block within r in both
// directions (connected across gaps of r - 1 blocks).
static int component(Classic *e, const uint8_t *map, int seed, int reach)
{
    const int bw = e->fbw, bh = e->fbh;
    int *lab = e->fb_label, *stack = e->fb_stack, *mem = e->fb_members;
    int sp = 0, n = 0;
    stack[sp++] = seed;
    lab[seed] = seed;
    while (sp) {
        int b = stack[--sp], bx = b % bw, by = b / bw;
        mem[n++] = b;
        if (!reach) {
            int nb[4] = { bx > 0 ? b - 1 : -1, bx < bw - 1 ? b + 1 : -1, by > 0 ? b - bw : -1,
                          by < bh - 1 ? b + bw : -1 };
            for (int q = 0; q < 4; q++)
                if (nb[q] >= 0 && map[nb[q]] && lab[nb[q]] < 0) {
                    lab[nb[q]] = seed;
                    stack[sp++] = nb[q];
                }
            continue;
        }
        for (int yy = by - reach; yy <= by + reach; yy++)
            for (int xx = bx - reach; xx <= bx + reach; xx++) {
                int nb = yy * bw + xx;
                if (yy >= 0 && yy < bh && xx >= 0 && xx < bw && map[nb] && lab[nb] < 0) {
                    lab[nb] = seed;
                    stack[sp++] = nb;
                }
            }
    }
    return n;
}

// ANIME RULE "no ghosts", for whole redrawn areas: the blocks where the two frames differ are
// grouped into areas (connected through gaps of up to one block: a face with its hair), and an
// area more than REDRAW_SHARE of whose blocks are untrusted is a redraw (a head turn drawn anew,
// a smear): all of it falls back. Otherwise its trusted blocks would be warped between
// untrusted ones that show one frame: a chimera of two drawings (one drawing's eye beside the
// warped other's mouth), which is the ghost this rule exists to avoid, cut into pieces.
// Uses fb_label/fb_members as scratch (fallback_regions relabels after).
static void redraw_areas(Classic *e)
{
    const int nb = e->fbw * e->fbh;
    uint8_t *dif = e->fb_dif, *blk = e->fb_blk;
    const int *mem = e->fb_members;
    mark_blocks(e, e->fdiff, dif);
    for (int i = 0; i < nb; i++)
        e->fb_label[i] = -1;
    for (int i = 0; i < nb; i++) {
        if (!dif[i] || e->fb_label[i] >= 0)
            continue;
        int n = component(e, dif, i, 2), nbad = 0;
        for (int m = 0; m < n; m++)
            nbad += blk[mem[m]];
        if ((float)nbad > REDRAW_SHARE * (float)n)
            for (int m = 0; m < n; m++)
                blk[mem[m]] = 1;
    }
}

// 1 when, at FB_MIN_BAD or more of block b's flow pixels, the fallback picture (side: the
// weight of f0, as fb_side) and the warped in-between differ by more than SEAM_LEVELS: a trust
// ramp across b would show one part of a shape unwarped beside its other part warped (a tear).
static int seam_block(const Classic *e, int b, float side)
{
    const int w = e->fw, h = e->fh, bx = b % e->fbw, by = b / e->fbw;
    const AimPlaneF *P0 = &e->pyr[0].img[0], *P1 = &e->pyr[1].img[0];
    const float *U = e->pp[0][0], *V = e->pp[0][1], t = e->t;
    int n = 0;
    for (int y = by * FB_BLOCK; y < (by + 1) * FB_BLOCK && y < h; y++)
        for (int x = bx * FB_BLOCK; x < (bx + 1) * FB_BLOCK && x < w; x++) {
            int k = y * w + x;
            float ia = aim_bilin_f(P0->data, P0->stride, w, h, (float)x - t * U[k],
                                   (float)y - t * V[k]);
            float ib = aim_bilin_f(P1->data, P1->stride, w, h, (float)x + (1.0f - t) * U[k],
                                   (float)y + (1.0f - t) * V[k]);
            float warped = e->fw0[k] * ia + (1.0f - e->fw0[k]) * ib;
            float fb = side * P0->data[y * P0->stride + x] +
                       (1.0f - side) * P1->data[y * P1->stride + x];
            n += fabsf(warped - fb) > SEAM_LEVELS;
        }
    return n >= FB_MIN_BAD;
}

// ANIME RULE "no tears": a fallback region's border must not cut a shape (one part of an ear
// unwarped beside its other part warped, a block-shaped hole in a face). Under a camera zoom
// (|zoom| > ZOOM_SCALE) every shape moves its own way and the flow at the edge of what it can
// follow breaks shapes apart, so from its blocks each region grows into every trusted
// 4-neighbour where its fallback picture and the warp differ (seam_block), taking the region's
// side, until its whole border lies where the two agree (flat colour, or content that did not
// move). Outside zooms nothing changes (see ZOOM_SCALE). Runs on fallback_regions' blocks
// (fb_label, fb_side); uses fb_dif (free after redraw_areas) as "already tested" marks.
static void grow_regions(Classic *e)
{
    if (!(fabsf(e->zoom) > ZOOM_SCALE))
        return;
    const int bw = e->fbw, bh = e->fbh, nb = bw * bh;
    uint8_t *blk = e->fb_blk, *seen = e->fb_dif;
    int *stack = e->fb_stack;
    for (int i = 0; i < nb; i++)
        seen[i] = blk[i];
    // region by region (fb_label: a region's first block), each with its own side
    for (int r = 0; r < nb; r++) {
        if (!blk[r] || e->fb_label[r] != r)
            continue;
        int sp = 0;
        for (int i = r; i < nb; i++)
            if (e->fb_label[i] == r)
                stack[sp++] = i;
        const float side = e->fb_side[r];
        const float fb = e->s.fallback == AIM_INTERP_FALLBACK_BLEND ? 1.0f - e->t : side;
        while (sp) {
            int b = stack[--sp], bx = b % bw, by = b / bw;
            int nbr[4] = { bx > 0 ? b - 1 : -1, bx < bw - 1 ? b + 1 : -1, by > 0 ? b - bw : -1,
                           by < bh - 1 ? b + bw : -1 };
            for (int q = 0; q < 4; q++) {
                int c = nbr[q];
                if (c < 0 || seen[c])
                    continue;
                seen[c] = 1;
                if (!seam_block(e, c, fb))
                    continue;
                blk[c] = 1;
                e->fb_side[c] = side;
                stack[sp++] = c;
            }
        }
    }
}

// ANIME RULE "no ghosts", made region-coherent: untrusted pixels are gathered into blocks of
// FB_BLOCK x FB_BLOCK flow pixels (a block is untrusted when FB_MIN_BAD of its pixels are),
// grown by one block, and every connected region of untrusted blocks shows ONE source frame,
// unwarped: the nearer one in time, unless the other frame's content in the region clearly
// stays put while the nearer one's leaves (twice the summed stay evidence). Per-pixel choices
// would tear a redrawn mouth into fragments of both drawings. The trust ramps over one block
// (bilinear between block centres) so there is no seam.
static void fallback_regions(Classic *e)
{
    const int w = e->fw, h = e->fh, bw = e->fbw, bh = e->fbh;
    uint8_t *raw = e->fb_raw, *blk = e->fb_blk;
    mark_blocks(e, e->bad, raw);
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            uint8_t v = 0;
            for (int j = -1; j <= 1; j++)
                for (int i = -1; i <= 1; i++) {
                    int yy = by + j, xx = bx + i;
                    if (yy >= 0 && yy < bh && xx >= 0 && xx < bw)
                        v |= raw[yy * bw + xx];
                }
            blk[by * bw + bx] = v;
        }
    redraw_areas(e);
    // connected regions (4-neighbours) of untrusted blocks; side per region
    for (int i = 0; i < bw * bh; i++)
        e->fb_label[i] = -1;
    const float tie0 = e->t <= 0.5f ? 1.0f : 0.0f;
    for (int i = 0; i < bw * bh; i++) {
        if (!blk[i] || e->fb_label[i] >= 0)
            continue;
        int nmem = component(e, blk, i, 0);
        double s0 = 0, s1 = 0;
        for (int m = 0; m < nmem; m++) {
            int b = e->fb_members[m], bx = b % bw, by = b / bw;
            // evidence counts where the choice matters: where the two frames differ at q
            for (int y = by * FB_BLOCK; y < (by + 1) * FB_BLOCK && y < h; y++)
                for (int x = bx * FB_BLOCK; x < (bx + 1) * FB_BLOCK && x < w; x++) {
                    float dif = e->fdiff[y * w + x];
                    s0 += dif * e->stay[0][y * w + x];
                    s1 += dif * e->stay[1][y * w + x];
                }
        }
        float side = tie0;
        if (tie0 > 0.5f && s1 > 2.0 * s0)
            side = 0.0f;
        else if (tie0 < 0.5f && s0 > 2.0 * s1)
            side = 1.0f;
        for (int m = 0; m < nmem; m++)
            e->fb_side[e->fb_members[m]] = side;
    }
    grow_regions(e);
    // trusted blocks next to a region take its side (for the ramp); others need none
    for (int i = 0; i < bw * bh; i++)
        if (!blk[i]) {
            int bx = i % bw, by = i / bw;
            float side = tie0;
            for (int j = -1; j <= 1; j++)
                for (int q = -1; q <= 1; q++) {
                    int yy = by + j, xx = bx + q;
                    if (yy >= 0 && yy < bh && xx >= 0 && xx < bw && blk[yy * bw + xx])
                        side = e->fb_side[yy * bw + xx];
                }
            e->fb_side[i] = side;
        }
    float *U = e->pp[0][0], *V = e->pp[0][1];
    for (int y = 0; y < h; y++) {
        float fy = ((float)y + 0.5f) / FB_BLOCK - 0.5f;
        fy = fy < 0 ? 0 : fy > (float)(bh - 1) ? (float)(bh - 1) : fy;
        int by0 = (int)fy, by1 = by0 + 1 < bh ? by0 + 1 : by0;
        float wy = fy - (float)by0;
        // no untrusted block in either block row: trust is 1 on the whole row, nothing changes
        int any = 0;
        for (int bx = 0; bx < bw && !any; bx++)
            any = blk[by0 * bw + bx] | blk[by1 * bw + bx];
        if (!any)
            continue;
        for (int x = 0; x < w; x++) {
            float fx = ((float)x + 0.5f) / FB_BLOCK - 0.5f;
            fx = fx < 0 ? 0 : fx > (float)(bw - 1) ? (float)(bw - 1) : fx;
            int bx0 = (int)fx, bx1 = bx0 + 1 < bw ? bx0 + 1 : bx0;
            float wx = fx - (float)bx0;
            float b = (1 - wy) * ((1 - wx) * blk[by0 * bw + bx0] + wx * blk[by0 * bw + bx1]) +
                      wy * ((1 - wx) * blk[by1 * bw + bx0] + wx * blk[by1 * bw + bx1]);
            if (b == 0.0f) // trusted: unchanged (the update below would be an identity)
                continue;
            int k = y * w + x;
            float trust = 1.0f - b;
            float side = e->fb_side[(y / FB_BLOCK) * bw + x / FB_BLOCK];
            U[k] *= trust;
            V[k] *= trust;
            if (e->s.fallback == AIM_INTERP_FALLBACK_BLEND) // opted out of the anime rule
                side = 1.0f - e->t;
            else // where both frames show the same colour (under 8 levels apart, 24 at most)
                 // the blend is no ghost, only less noise: the region's frame elsewhere
                side = side * e->fdiff[k] + (1.0f - e->t) * (1.0f - e->fdiff[k]);
            // The frame weight leaves the warp's weights faster than the field shrinks: on the
            // ramp the field is only partly scaled down, so both sides sampled with it would
            // show a line twice (f0 unwarped and f1 half-warped: a double hat brim on onepiece
            // 82-88). With trust^4 the region's frame dominates the whole ramp; -0.03..0.04 dB
            // PSNR-Y, edge F1 +0.0000..0.0003 (bench/RESULTS-interp.md, session 4).
            float t2 = trust * trust, tw = t2 * t2;
            e->fw0[k] = tw * e->fw0[k] + (1.0f - tw) * side;
        }
    }
}

// Visibility, trust and the fallback rule on the flow grid (see the header comment).
// Per flow pixel at t: visibility, trust and fallback evidence (rows sliced over the pool).
// The rules, per flow pixel q with field motion m (the kernel vis_row, interp_dsp.c, computes
// them; its C reference is the specification):
// - Occlusion (Baker et al. 2011, "A Database and Evaluation Methodology for Optical Flow",
//   section 3.3): a pixel of f1 whose flow fails the forward-backward check is not visible in
//   f0 (it was uncovered), and vice versa. So q is seen in f0 unless its f1 sample (q + (1-t)m)
//   is such a pixel, and seen in f1 unless its f0 sample (q - t m) is.
// - A sample outside the picture (content entering or leaving the frame, a zoom's border) is
//   not seen on that side: the other side alone draws q.
// - Each side is weighted by visibility and temporal nearness: fw0 = w0 / (w0 + w1) with
//   w0 = (1-t)(vis0 + 0.01), w1 = t(vis1 + 0.01).
// - Untrusted ("bad"): the two warped luma samples disagree (32..64 levels: flat anime colours
//   differ by more than that when the flow maps one drawing's colour onto another's; on dbz,
//   24..48 / 32..64 / 40..80 gave PSNR-Y 26.00 / 26.12 / 26.18 and edge F1 0.9255 / 0.9257 /
//   0.9254: the middle one keeps the lines best) although both sides claim to see q (then the
//   flow is wrong), or neither does (nothing explains q). Where exactly one side is hidden,
//   disagreement is expected. "Neither" means no side within ~3 grid px of consistency (vis
//   0.1 = a 3 px forward-backward mismatch): flow near motion boundaries is smeared by a few px
//   (patches straddle both motions), and there the weaker claim is still right.
// - Fallback side evidence ("stay"): how little each frame's content at q moves (content the
//   flow shows leaving q, e.g. the trailing edge of a moving shape, should not be shown where
//   it was), weighted by temporal nearness: 1 when still, 0.5 at 2 grid px of motion of a
//   fully consistent flow. Only a reliable flow (its forward-backward quality) is evidence of
//   leaving: a redraw's flow is noise and must not overrule the nearer frame.
// - fdiff: the two frames differ at q (unwarped): 8..24 levels.
static void visibility_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    const int w = e->fw, h = e->fh;
    const AimPlaneF *I0 = &e->pyr[0].img[0], *I1 = &e->pyr[1].img[0];
    AimVisRow r = { .u01 = aim_flow_u(e->flow[0]), .v01 = aim_flow_v(e->flow[0]),
                    .u10 = aim_flow_u(e->flow[1]), .v10 = aim_flow_v(e->flow[1]),
                    .U = e->pp[0][0], .V = e->pp[0][1], .q0 = e->qual[0], .q1 = e->qual[1],
                    .i0 = I0->data, .i1 = I1->data, .si0 = I0->stride, .si1 = I1->stride,
                    .bad = e->bad, .fdiff = e->fdiff, .stay0 = e->stay[0],
                    .stay1 = e->stay[1], .fw0 = e->fw0, .w = w, .h = h, .t = e->t };
    int ya, yb;
    aim_interp_band(h, job, njobs, &ya, &yb);
    const AimVisRow r0 = r;
    for (int y = ya; y < yb; y++) {
        ptrdiff_t k = (ptrdiff_t)y * w;
        r = r0;
        r.y = y;
        r.U += k, r.V += k, r.u01 += k, r.v01 += k, r.u10 += k, r.v10 += k;
        r.bad += k, r.fdiff += k, r.stay0 += k, r.stay1 += k, r.fw0 += k;
        e->dsp.vis_row(&r);
    }
}

static void field_at_t(Classic *e)
{
    const int w = e->fw, h = e->fh;
    float *U = e->pp[0][0], *V = e->pp[0][1], *C = e->pp[0][2];
    // a point reached by any splat is known, however inconsistent: where only inconsistent
    // pixels land (a disocclusion seen from one side) their own motion is better than a fill
    // from the neighbours, which mixes in the occluder's motion (confidence 1 where reached)
    e->dsp.field_norm(U, V, C, e->acc[0], e->acc[1], w * h);
    pull_push(e);
    aim_pool_run(e->s.pool, visibility_job, e, e->njobs);
    fallback_regions(e);
}

// Vertical interpolation of a flow-grid row pair: d[x] = a[x] + f * (a[x + n] - a[x]).
// (restrict: the scratch row never overlaps the field; lets the compiler vectorise it)
static void lerp_row(float *restrict d, const float *restrict a, float f, int n)
{
    for (int x = 0; x < n; x++)
        d[x] = a[x] + f * (a[x + n] - a[x]);
}

// Warps the columns [xa, xb) of row y of plane p (and plane 2 with plane 1: the chroma planes
// share one field) from the vertically blended field rows ru, rv, rw.
static void warp_span(Classic *e, int p, int y, int xa, int xb, const float *ru, const float *rv,
                      const float *rw, float *mx, float *my, float *w0)
{
    const int pw = aim_plane_w(e->out, p), ph = aim_plane_h(e->out, p);
    const float sx = (float)pw / (float)e->fw, sy = (float)ph / (float)e->fh;
    e->dsp.field_row(mx + xa, my + xa, w0 + xa, ru, rv, rw, e->xi[p > 0] + xa, e->xf[p > 0] + xa,
                     sx, sy, xb - xa);
    for (int q = p; q <= 2 * p; q++)
        e->dsp.warp_row(e->out->data[q] + y * e->out->stride[q], e->f[0]->data[q],
                        e->f[0]->stride[q], e->f[1]->data[q], e->f[1]->stride[q], pw, ph, y, mx,
                        my, w0, e->t, (1 << e->s.depth) - 1, xa, xb);
}

// Full-resolution warp, row bands per job. With the gate's mask only the moving blocks are
// warped: the dispatcher copies the static ones from f0 over whatever is here afterwards.
static void warp_job(void *ctx, int job, int njobs)
{
    Classic *e = ctx;
    const int fw = e->fw, fh = e->fh;
    const AimMotionMask *m = e->mask;
    float *sc = e->scratch + e->scratch_per_job * job;
    float *ru = sc, *rv = ru + fw + 8, *rw = rv + fw + 8;
    float *mx = rw + fw + 8, *my = mx + e->s.width + 8, *w0 = my + e->s.width + 8;
    const float *U = e->pp[0][0], *V = e->pp[0][1], *W = e->fw0;
    for (int p = 0; p < 2; p++) {
        int pw = aim_plane_w(e->out, p), ph = aim_plane_h(e->out, p), y0, y1;
        aim_interp_band(ph, job, njobs, &y0, &y1);
        const int bs = m ? (p ? m->block / 2 : m->block) : 0;
        for (int y = y0; y < y1; y++) {
            // the first run of moving blocks in this block row (none: nothing to warp)
            const uint8_t *mrow = NULL;
            int bx = 0, b0 = 0, b1 = 0;
            if (m) {
                int by = y / bs < m->h ? y / bs : m->h - 1;
                mrow = m->data + (size_t)by * m->w;
                if (!aim_mask_next_run(mrow, m->w, 1, &bx, &b0, &b1))
                    continue;
            }
            float ly = ((float)y + 0.5f) * (float)fh / (float)ph - 0.5f;
            ly = ly < 0 ? 0 : ly > (float)(fh - 1) ? (float)(fh - 1) : ly;
            int iy = (int)ly;
            iy = iy > fh - 2 ? fh - 2 : iy;
            float fy = ly - (float)iy;
            lerp_row(ru, U + iy * fw, fy, fw);
            lerp_row(rv, V + iy * fw, fy, fw);
            lerp_row(rw, W + iy * fw, fy, fw);
            if (!mrow) {
                warp_span(e, p, y, 0, pw, ru, rv, rw, mx, my, w0);
                continue;
            }
            do {
                int xa = b0 * bs, xb = b1 * bs < pw ? b1 * bs : pw;
                if (xa < xb)
                    warp_span(e, p, y, xa, xb, ru, rv, rw, mx, my, w0);
            } while (aim_mask_next_run(mrow, m->w, 1, &bx, &b0, &b1));
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
    double t0 = aim_now_s();
    aim_pool_run(e->s.pool, splat_job, e, 2);
    field_at_t(e);
    double t1 = aim_now_s();
    aim_pool_run(e->s.pool, warp_job, e, e->njobs);
    double t2 = aim_now_s();
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
