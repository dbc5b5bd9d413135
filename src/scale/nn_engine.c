// The Model B engine behind every upscaler model of the registry (nn/models.h: each
// AIM_MODEL_UPSCALER model is an engine named after it), on the scale/engine.h contract.
//
// A frame goes YUV -> RGB (the source's matrix/range, per tile) -> model at its native factor
// N (the smallest >= dst/src) -> YUV, written straight into the output when N * src == dst,
// else into an N * src frame that the classic Lanczos engine then resamples to dst (e.g.
// 1.333x: the model's 2x, then a Lanczos downscale, which is anti-aliased).
// waifu2x-cunet's noise level is the settings' `noise` (0..3, the preset's or --denoise).
// The models that remove noise themselves (Real-CUGAN denoise1x..3x, waifu2x-cunet at every
// level, the Anime4K restore nets) are flagged `denoises` in the registry: the dispatcher then
// skips its classic deblock, denoise and sharpen, so two denoisers are never stacked.
// Device hand-off (run_device): a frame whose samples are on the upscaler's device (Model A's,
// src/interp/engine_rife.c) goes YUV -> RGB there (aim_nn_gpu_yuv_to_rgb, bit-identical to rd)
// and the tiles are cut from it there (aim_nn_upscaler_run_image): nothing is uploaded. After a
// fallback to the CPU the samples are downloaded and run takes over.
// Deviation from the engine contract: run allocates (the executor's per-tile tensors; the
// device path's RGB frame and the fallback's host frame on first use).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/color.h"
#include "nn/gpu.h"
#include "nn/upscaler.h"
#include "scale/engine.h"

typedef struct NnEngine {
    AimNnUpscaler *up;
    AimNnColor cc;
    AimFrame *mid;  ///< N * src frame when a resample to dst follows
    void *classic;  ///< Lanczos engine mid -> dst
    const AimFrame *in;
    AimFrame *target;
    AimVkDevice *dev;      ///< the settings' device (the upscaler may have fallen back)
    AimNnGpuImage *img;    ///< run_device: the frame in RGB on the device
    AimFrame *host;        ///< run_device after a fallback: the downloaded samples
    int warned;            ///< run_device failed on the device once (logged)
    AimLog log;
} NnEngine;

static void destroy(void **priv)
{
    NnEngine *e = priv ? *priv : NULL;
    if (!e)
        return;
    aim_nn_upscaler_destroy(&e->up);
    aim_nn_gpu_image_destroy(&e->img);
    aim_frame_unref(&e->host);
    aim_frame_unref(&e->mid);
    if (e->classic)
        aim_scale_engine_lanczos.destroy(&e->classic);
    free(e);
    *priv = NULL;
}

// The dispatcher creates it with settings whose `engine` is the model's name (scale.c
// find_engine): one create serves every model.
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
    e->dev = s->device;
    e->log = s->log;
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

static AimVkDevice *device(void *priv)
{
    NnEngine *e = priv;
    return strcmp(aim_nn_upscaler_backend(e->up), "cpu") ? e->dev : NULL; // NULL after a fallback
}

static int run_device(void *priv, const AimFrame *in, AimNnGpuYuv *dev, AimFrame *out)
{
    NnEngine *e = priv;
    int err;
    if (device(priv)) {
        e->target = e->mid ? e->mid : out;
        err = e->img ? 0 : aim_nn_gpu_image_create(&e->img, e->dev);
        if (!err)
            err = aim_nn_gpu_yuv_to_rgb(dev, &e->cc, e->img);
        if (!err)
            err = aim_nn_upscaler_run_image(e->up, e->img, wr, e);
        if (!err)
            return e->mid ? aim_scale_engine_lanczos.run(e->classic, e->mid, out) : 0;
        if (err != AIM_ERR_UNSUPPORTED && !e->warned++)
            aim_log(&e->log, AIM_LOG_WARNING, "scale: the frame on the device could not be "
                    "upscaled there (%s): downloaded", aim_strerror(err));
    }
    // on the CPU (a fallback), or the GPU's error again from run
    err = e->host ? 0 : aim_frame_alloc(&e->host, in->width, in->height, in->depth, 0);
    if (!err)
        err = aim_nn_gpu_yuv_download(dev, e->host);
    return err < 0 ? err : run(priv, e->host, out);
}

const AimScaleEngine aim_scale_engine_nn = {
    "neural", create, run, destroy, .device = device, .run_device = run_device,
};
