// The "rife" engine: RIFE v4.6 (src/nn/rife.h) behind the Model A vtable.
//
// Per pair: both frames YUV -> RGB float (the source's matrix and range, src/nn/color.h) into
// the network's padded inputs. Per frame: one network run at t (v4 takes t as an input, so
// 3x/4x need no recursion), then RGB -> YUV into the output. The dispatcher then copies the
// mask's static blocks bit-exactly from f0; holds and cuts never reach an engine (the pipeline
// duplicates them). f0 == f1 renders f0 exactly, without running the network.
// Region: with a motion mask the network runs only on the bounding box of the moving blocks
// plus a margin of context (pick_region); everything else is static, i.e. f0's pixels. Anime
// often moves a mouth or an arm on a still picture: the cost follows what moves.
// Scale (rife.h): flow_downscale 1, 2, 4 = RIFE scale 1, 0.5, 0.25; 0 = automatic from the
// frame size (aim_nn_rife_auto_scale).
// Device hand-off (render_device, engine.h): the network's output stays on the device
// (aim_nn_rife_run_image) and the RGB -> YUV step and the static blocks' merge with f0 run
// there too (aim_nn_gpu_yuv_merge: the same arithmetic as to_yuv_job and the dispatcher's copy,
// bit for bit), so the pipeline hands the frame to a neural upscaler on the same device without
// a download. f0 goes up once per pair, on the pair's first such render.
// Allocation: the executor keeps one arena per run, laid out once per region size (a few
// plans cached, src/nn/exec.c); it grows when a larger moving region arrives and is then
// reused, so renders allocate only when the region outgrows every earlier one.
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "engine.h"
#include "nn/color.h"
#include "nn/gpu.h"
#include "nn/rife.h"

// Region of interest (pick_region). Margin: measured with bench/rife_roi on onepiece_demo
// (26 motion intervals), region against whole frame inside the moving blocks: pooled PSNR-Y
// 54.1 / 54.6 / 57.2 dB and 2.7x / 2.5x / 1.9x faster for margins 32 / 64 / 128
// (bench/RESULTS-rife.md). Area limit: a region above 60% of the frame would save under 40% of
// the network time, and the whole frame keeps the output what the reference tool computes.
#define ROI_MARGIN 64
#define ROI_MAX 0.6

enum { ST_IN, ST_NET, ST_OUT, ST_N };
static const char *const stage_names[ST_N] = { "yuv->rgb", "network", "rgb->yuv" };

typedef struct Rife {
    AimNnRife *nn;
    AimPool *pool;
    int w, h, njobs;
    AimNnColor cc;
    const AimFrame *f0;
    int identical, still;   ///< f0 == f1; no block of the mask moves
    int rx, ry, rw, rh;     ///< the region the network runs on (the frame, or the mask's)
    // current conversion job
    const AimFrame *src;
    float *rgb[3];
    const float *crgb[3];
    ptrdiff_t stride;
    AimFrame *out;
    double st[ST_N];
    // device hand-off (render_device)
    AimVkDevice *dev;       ///< the network's device (NULL: the CPU)
    const AimMotionMask *mask;
    AimNnGpuImage *img;     ///< the network's output, rw x rh
    AimNnGpuYuv *base;      ///< f0 on the device
    int base_ok;            ///< base holds this pair's f0
    int warned;             ///< the device path failed once (logged) and renders on the host
    AimLog log;
} Rife;

static void rife_destroy(void **priv)
{
    Rife *e = priv ? *priv : NULL;
    if (!e)
        return;
    aim_nn_rife_destroy(&e->nn);
    aim_nn_gpu_image_destroy(&e->img);
    aim_nn_gpu_yuv_destroy(&e->base);
    free(e);
    *priv = NULL;
}

static int rife_create(void **priv, const AimInterpSettings *s)
{
    if (s->flow_downscale == 8) {
        aim_log(&s->log, AIM_LOG_ERROR, "interp: rife scales are 1, 0.5, 0.25 "
                "(flow_downscale 1, 2, 4; 0 = automatic)");
        return AIM_ERR(EINVAL);
    }
    Rife *e = calloc(1, sizeof(*e));
    if (!e)
        return AIM_ERR(ENOMEM);
    e->pool = s->pool;
    e->w = s->width;
    e->h = s->height;
    e->njobs = 4 * aim_pool_threads(s->pool);
    AimNnRifeSettings rs;
    aim_nn_rife_default_settings(&rs);
    rs.models_dir = s->models_dir;
    rs.width = s->width;
    rs.height = s->height;
    rs.scale = s->flow_downscale ? 1.f / (float)s->flow_downscale : 0.f;
    rs.opt = (AimNnOpt){ 0, s->cpu_flags, s->pool, 0, s->cancel };
    rs.device = s->device;
    rs.device_fallback = s->device_fallback;
    rs.log = s->log;
    // A missing or damaged model was reported (one line, with the install command) by the
    // registry (nn/models.h aim_models_locate).
    int err = aim_nn_rife_create(&e->nn, &rs);
    if (err < 0) {
        free(e);
        return err;
    }
    e->dev = s->device;
    e->log = s->log;
    aim_log(&s->log, AIM_LOG_DEBUG, "interp: rife v4.6 at scale %g on %s",
            (double)aim_nn_rife_scale(e->nn), aim_nn_rife_backend(e->nn));
    *priv = e;
    return 0;
}

static int same_frame(const AimFrame *a, const AimFrame *b)
{
    if (a == b)
        return 1;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(a, p); y++)
            if (memcmp(a->data[p] + y * a->stride[p], b->data[p] + y * b->stride[p],
                       sizeof(uint16_t) * aim_plane_w(a, p)))
                return 0;
    return 1;
}

// Row bands of the region, of even height (rgb_to_yuv writes chroma rows for pairs of luma
// rows); y0/y1 relative to the region.
static void band(const Rife *e, int job, int njobs, int *y0, int *y1)
{
    int pairs = (e->rh + 1) / 2;
    aim_interp_band(pairs, job, njobs, y0, y1);
    *y0 *= 2;
    *y1 = *y1 * 2 < e->rh ? *y1 * 2 : e->rh;
}

// The region the network sees: the bounding box of the mask's moving blocks grown by
// ROI_MARGIN pixels of context, rounded up to the network's stride (so a region inside the
// frame needs no padding), at even coordinates; the whole frame when that box would cover
// more than ROI_MAX of it (then the saving is small and the frame's edges are the only
// padding, as in the reference tool).
int aim_rife_region(const AimMotionMask *m, int w, int h, int stride, int *rx, int *ry, int *rw,
                    int *rh)
{
    *rx = *ry = 0;
    *rw = w;
    *rh = h;
    if (!m)
        return 0;
    int bx0 = m->w, by0 = m->h, bx1 = -1, by1 = -1;
    for (int by = 0; by < m->h; by++)
        for (int bx = 0; bx < m->w; bx++)
            if (m->data[by * m->w + bx]) {
                bx0 = bx < bx0 ? bx : bx0;
                bx1 = bx > bx1 ? bx : bx1;
                by0 = by < by0 ? by : by0;
                by1 = by > by1 ? by : by1;
            }
    if (bx1 < 0)
        return -1;
    const int S = stride, margin = ROI_MARGIN;
    int x0 = bx0 * m->block - margin, x1 = (bx1 + 1) * m->block + margin;
    int y0 = by0 * m->block - margin, y1 = (by1 + 1) * m->block + margin;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    int cw = (x1 - x0 + S - 1) / S * S, ch = (y1 - y0 + S - 1) / S * S;
    if (cw >= w) {
        x0 = 0;
        cw = w;
    } else {
        x0 = (x0 < w - cw ? x0 : w - cw) & ~1;
    }
    if (ch >= h) {
        y0 = 0;
        ch = h;
    } else {
        y0 = (y0 < h - ch ? y0 : h - ch) & ~1;
    }
    if ((double)cw * ch > ROI_MAX * w * h)
        return 0;
    *rx = x0;
    *ry = y0;
    *rw = cw;
    *rh = ch;
    return 1;
}

static void pick_region(Rife *e, const AimMotionMask *m)
{
    e->still = aim_rife_region(m, e->w, e->h, aim_nn_rife_stride(e->nn), &e->rx, &e->ry, &e->rw,
                               &e->rh) < 0; // still: the dispatcher copies every block from f0
}

static void to_rgb_job(void *ctx, int job, int njobs)
{
    Rife *e = ctx;
    int y0, y1;
    band(e, job, njobs, &y0, &y1);
    if (y1 <= y0)
        return;
    float *p[3] = { e->rgb[0] + y0 * e->stride, e->rgb[1] + y0 * e->stride,
                    e->rgb[2] + y0 * e->stride };
    aim_nn_yuv_to_rgb(&e->cc, e->src, e->rx, e->ry + y0, e->rw, y1 - y0, p, e->stride);
}

static void to_yuv_job(void *ctx, int job, int njobs)
{
    Rife *e = ctx;
    int y0, y1;
    band(e, job, njobs, &y0, &y1);
    if (y1 <= y0)
        return;
    const float *p[3] = { e->crgb[0] + y0 * e->stride, e->crgb[1] + y0 * e->stride,
                          e->crgb[2] + y0 * e->stride };
    aim_nn_rgb_to_yuv(&e->cc, e->out, e->rx, e->ry + y0, e->rw, y1 - y0, p, e->stride);
}

static int rife_set_pair(void *priv, const AimFrame *f0, const AimFrame *f1,
                         const AimMotionMask *mask)
{
    Rife *e = priv;
    double t0 = aim_now_s();
    e->f0 = f0;
    e->mask = mask;
    e->base_ok = 0;
    e->identical = same_frame(f0, f1);
    if (e->identical)
        return 0;
    pick_region(e, mask);
    if (e->still)
        return 0;
    int err = aim_nn_rife_set_size(e->nn, e->rw, e->rh);
    if (err < 0)
        return err;
    aim_nn_color_init(&e->cc, &f0->color, f0->depth, f0->height);
    for (int k = 0; k < 2; k++) {
        e->src = k ? f1 : f0;
        aim_nn_rife_input(e->nn, k, e->rgb, &e->stride);
        aim_pool_run(e->pool, to_rgb_job, e, e->njobs);
    }
    e->st[ST_IN] += aim_now_s() - t0;
    return 0;
}

static int rife_render(void *priv, double t, AimFrame *out)
{
    Rife *e = priv;
    if (e->identical || e->still) {
        aim_frame_copy(out, e->f0);
        return 0;
    }
    double t0 = aim_now_s();
    int err = aim_nn_rife_run(e->nn, (float)t, e->crgb, &e->stride);
    if (err < 0)
        return err;
    double t1 = aim_now_s();
    if (e->rw < e->w || e->rh < e->h)
        aim_frame_copy(out, e->f0); // outside the region every block is static
    e->out = out;
    aim_pool_run(e->pool, to_yuv_job, e, e->njobs);
    e->out = NULL;
    e->st[ST_NET] += t1 - t0;
    e->st[ST_OUT] += aim_now_s() - t1;
    return 0;
}

static AimVkDevice *rife_device(void *priv)
{
    Rife *e = priv;
    return strcmp(aim_nn_rife_backend(e->nn), "cpu") ? e->dev : NULL; // NULL after a fallback
}

static int rife_render_device(void *priv, double t, AimFrame *out, AimNnGpuYuv *dev)
{
    Rife *e = priv;
    if (e->identical || e->still)
        return rife_render(priv, t, out);
    double t0 = aim_now_s();
    int err = 0;
    if (!e->img)
        err = aim_nn_gpu_image_create(&e->img, e->dev);
    if (!err && !e->base)
        err = aim_nn_gpu_yuv_create(&e->base, e->dev);
    if (!err && !e->base_ok && !(err = aim_nn_gpu_yuv_upload(e->base, e->f0)))
        e->base_ok = 1;
    if (!err)
        err = aim_nn_rife_run_image(e->nn, (float)t, e->img);
    double t1 = aim_now_s();
    if (!err)
        err = aim_nn_gpu_yuv_merge(dev, e->base, e->img, e->rx, e->ry, e->mask, &e->cc);
    if (err < 0) { // the CPU after a fallback, or the GPU's error again from the host path
        if (err != AIM_ERR_UNSUPPORTED && !e->warned++)
            aim_log(&e->log, AIM_LOG_WARNING, "interp: rife: keeping the frame on the device "
                    "failed (%s): through the host", aim_strerror(err));
        return rife_render(priv, t, out);
    }
    e->st[ST_NET] += t1 - t0;
    e->st[ST_OUT] += aim_now_s() - t1;
    return 1;
}

static void rife_stats(void *priv, AimInterpStats *st)
{
    Rife *e = priv;
    st->nstages = ST_N;
    for (int i = 0; i < ST_N; i++) {
        st->stage[i].name = stage_names[i];
        st->stage[i].seconds = e->st[i];
    }
}

const AimInterpEngine aim_interp_engine_rife = {
    .name = "rife", .create = rife_create, .set_pair = rife_set_pair,
    .render = rife_render, .destroy = rife_destroy, .get_stats = rife_stats,
    .device = rife_device, .render_device = rife_render_device,
};
