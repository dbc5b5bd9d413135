// Model B engines backed by the neural upscalers: "realesr-animevideov3",
// "realcugan-se-conservative", "waifu2x-cunet", "anime4k-cnn-m" (scale/engine.h contract).
//
// A frame goes YUV -> RGB (the source's matrix/range, per tile) -> model at its native factor
// N (the smallest >= dst/src) -> YUV, written straight into the output when N * src == dst,
// else into an N * src frame that the classic Lanczos engine then resamples to dst (e.g.
// 1.333x: the model's 2x, then a Lanczos downscale, which is anti-aliased).
// waifu2x-cunet's noise level is the settings' `noise` (0..3, the preset's or --denoise).
// The engines that remove noise themselves (Real-CUGAN denoise1x..3x, waifu2x-cunet at every
// level, the Anime4K restore nets) are flagged `denoises`: the dispatcher then skips its
// classic deblock, denoise and sharpen, so two denoisers are never stacked.
// Deviation from the engine contract: run allocates (the executor's per-tile tensors).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/color.h"
#include "nn/upscaler.h"
#include "scale/engine.h"

typedef struct NnEngine {
    AimNnUpscaler *up;
    AimNnColor cc;
    AimFrame *mid;  ///< N * src frame when a resample to dst follows
    void *classic;  ///< Lanczos engine mid -> dst
    const AimFrame *in;
    AimFrame *target;
} NnEngine;

static void destroy(void **priv)
{
    NnEngine *e = priv ? *priv : NULL;
    if (!e)
        return;
    aim_nn_upscaler_destroy(&e->up);
    aim_frame_unref(&e->mid);
    if (e->classic)
        aim_scale_engine_lanczos.destroy(&e->classic);
    free(e);
    *priv = NULL;
}

// Every neural engine is named after its registry model, and the dispatcher creates it with
// settings whose `engine` is that name (scale.c find_engine): one create serves them all.
static int create(void **priv, const AimScalerSettings *s)
{
    const char *model = s->engine;
    NnEngine *e = calloc(1, sizeof(*e));
    if (!e)
        return AIM_ERR(ENOMEM);
    AimNnUpscalerSettings us;
    aim_nn_upscaler_default_settings(&us);
    us.model = model;
    double ratio = fmax((double)s->dst_w / s->src_w, (double)s->dst_h / s->src_h);
    us.scale = (int)ceil(ratio - 1e-9);
    us.scale = us.scale < 2 ? 2 : us.scale;
    us.noise = s->noise; // 0..3, validated by the dispatcher
    us.models_dir = s->models_dir;
    us.opt = (AimNnOpt){ 0, s->cpu_flags, s->pool, 0, s->cancel };
    us.device = s->device;
    us.device_fallback = s->device_fallback;
    us.log = s->log;
    int err = aim_nn_upscaler_create(&e->up, &us);
    if (err < 0) {
        free(e);
        return err;
    }
    aim_nn_color_init(&e->cc, &s->color, s->depth, s->src_h);
    int f = aim_nn_upscaler_factor(e->up);
    int mw = s->src_w * f, mh = s->src_h * f;
    if (mw != s->dst_w || mh != s->dst_h) {
        if (mw > 16384 || mh > 16384) {
            aim_log(&s->log, AIM_LOG_ERROR, "%s: %dx%d at x%d exceeds 16384", model, s->src_w,
                    s->src_h, f);
            destroy((void **)&e);
            return AIM_ERR_UNSUPPORTED;
        }
        err = aim_frame_alloc(&e->mid, mw, mh, s->depth, 0);
        AimScalerSettings cs = *s;
        cs.src_w = mw;
        cs.src_h = mh;
        if (!err)
            err = aim_scale_engine_lanczos.create(&e->classic, &cs);
        if (err < 0) {
            destroy((void **)&e);
            return err;
        }
    }
    char level[32] = "";
    if (aim_nn_upscaler_noise(e->up) >= 0)
        snprintf(level, sizeof(level), " noise level %d", aim_nn_upscaler_noise(e->up));
    aim_log(&s->log, AIM_LOG_INFO, "scale: %s%s x%d on %s (tiles of %d px)%s", model, level, f,
            aim_nn_upscaler_backend(e->up), aim_nn_upscaler_tile(e->up),
            e->mid ? ", then Lanczos to the target size" : "");
    *priv = e;
    return 0;
}

static void rd(void *opaque, int x0, int y0, int w, int h, float *const rgb[3], ptrdiff_t stride)
{
    NnEngine *e = opaque;
    aim_nn_yuv_to_rgb(&e->cc, e->in, x0, y0, w, h, rgb, stride);
}

static void wr(void *opaque, int x0, int y0, int w, int h, const float *const rgb[3],
               ptrdiff_t stride)
{
    NnEngine *e = opaque;
    aim_nn_rgb_to_yuv(&e->cc, e->target, x0, y0, w, h, rgb, stride);
}

static int run(void *priv, const AimFrame *in, AimFrame *out)
{
    NnEngine *e = priv;
    e->in = in;
    e->target = e->mid ? e->mid : out;
    int err = aim_nn_upscaler_run(e->up, in->width, in->height, rd, wr, e);
    if (!err && e->mid)
        err = aim_scale_engine_lanczos.run(e->classic, e->mid, out);
    return err;
}

const AimScaleEngine aim_scale_engine_anime4k = { "anime4k-cnn-m", create, run, destroy };
const AimScaleEngine aim_scale_engine_realesr = { "realesr-animevideov3", create, run, destroy };
const AimScaleEngine aim_scale_engine_realcugan = {
    "realcugan-se-conservative", create, run, destroy };
const AimScaleEngine aim_scale_engine_waifu2x = { "waifu2x-cunet", create, run, destroy, 1 };
const AimScaleEngine aim_scale_engine_realcugan_nd = {
    "realcugan-se-no-denoise", create, run, destroy };
const AimScaleEngine aim_scale_engine_realcugan_dn1 = {
    "realcugan-se-denoise1x", create, run, destroy, 1 };
const AimScaleEngine aim_scale_engine_realcugan_dn2 = {
    "realcugan-se-denoise2x", create, run, destroy, 1 };
const AimScaleEngine aim_scale_engine_realcugan_dn3 = {
    "realcugan-se-denoise3x", create, run, destroy, 1 };
// same-size restoration, then Lanczos to the target (factor 1: `mid` is the source size)
const AimScaleEngine aim_scale_engine_a4k_restore_s = {
    "anime4k-restore-s", create, run, destroy, 1 };
const AimScaleEngine aim_scale_engine_a4k_restore_m = {
    "anime4k-restore-m", create, run, destroy, 1 };
