// Model B dispatcher: settings validation, presets, the engine table, and the restoration
// passes around the engine (see scale.h for the order and why).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/models.h"
#include "scale/engine.h"
#include "scale/restore.h"
#include "scale/scale.h"
#include "scale/scale_dsp.h"

// The classic engines. Every upscaler model of the registry (nn/models.h) is an engine too,
// named after its model and run by aim_scale_engine_nn (find_engine).
static const AimScaleEngine *const engines[] = {
    &aim_scale_engine_lanczos,
    &aim_scale_engine_bicubic,
    &aim_scale_engine_bilinear,
};
#define NCLASSIC (int)(sizeof(engines) / sizeof(engines[0]))

// An engine as the dispatcher sees it: the vtable, the name (a constant string of the tables)
// and whether it restores itself (registry `denoises`; the classic engines do not).
typedef struct EngineRef {
    const AimScaleEngine *vt;
    const char *name;
    int denoises;
} EngineRef;

#define AIM_SCALE_MAX_DIM 16384 // aim_frame_alloc's limit

typedef struct Job {
    int plane, y0, y1;
} Job;

// One restoration pass over the three planes, sliced by rows.
typedef struct Pass {
    Job *jobs;
    int njobs;
} Pass;

struct AimScaler {
    AimScalerSettings s;
    const AimScaleEngine *engine; ///< set while priv is live
    void *priv;
    AimScaleDSP dsp;
    AimRestoreParams rp;
    int do_deblock, do_denoise, do_sharpen;
    AimFrame *buf_a, *buf_b; // source-size restoration buffers (NULL when unused)
    AimFrame *buf_luma;      // destination-size luma the engine writes before sharpening
    Pass src_pass, dst_pass;
    // per run
    const AimFrame *pin;
    AimFrame *pout;
};

void aim_scaler_default_settings(AimScalerSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->engine = "lanczos";
    s->depth = 8;
    s->color = (AimColor){ .matrix = 2, .primaries = 2, .transfer = 2 };
}

int aim_scaler_apply_preset(AimScalerSettings *s, const char *preset)
{
    static const struct {
        const char *name;
        AimRestore restore;
        float antiring;
        int noise;
    } presets[] = {
        // Restore strengths as in the CLI's preset table (tools/ainimotion/enhance.c).
        { "fast", { 0.0f, 0.0f, 0.0f }, 0.0f, 0 },
        // mild; anti-ringing 0.6 removes most of the Lanczos halo around lines while keeping
        // some of the lobe's apparent sharpness (bench: +0.55 dB edge PSNR on the stills)
        { "anime-clean", { 0.25f, 0.15f, 0.20f }, 0.6f, 0 },
        // more, for old blocky sources; full anti-ringing (no halo at all around dark lines);
        // waifu2x-cunet noise level 2: the best level on the compressed stills
        // (bench/RESULTS-nn.md, "Restoration for anime-strong")
        { "anime-strong", { 0.60f, 0.45f, 0.40f }, 1.0f, 2 },
    };
    if (!s || !preset)
        return AIM_ERR(EINVAL);
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
        if (!strcmp(preset, presets[i].name)) {
            s->restore = presets[i].restore;
            s->antiring = presets[i].antiring;
            s->noise = presets[i].noise;
            return 0;
        }
    return AIM_ERR(EINVAL);
}

static int valid_strength(float v) { return isfinite(v) && v >= 0.0f && v <= 1.0f; }

static int find_engine(const char *name, EngineRef *r)
{
    for (int i = 0; name && i < NCLASSIC; i++)
        if (!strcmp(name, engines[i]->name)) {
            *r = (EngineRef){ engines[i], engines[i]->name, 0 };
            return 1;
        }
    const AimModelInfo *m = aim_models_find_engine(AIM_MODEL_UPSCALER, name);
    if (m)
        *r = (EngineRef){ &aim_scale_engine_nn, m->name, m->denoises };
    return m != NULL;
}

const char *aim_scaler_engine_name_at(int i)
{
    if (i >= 0 && i < NCLASSIC)
        return engines[i]->name;
    for (int k = 0, n = NCLASSIC; aim_models_get(k); k++)
        if (aim_models_get(k)->kind == AIM_MODEL_UPSCALER && n++ == i)
            return aim_models_get(k)->name;
    return NULL;
}

int aim_scaler_engine_known(const char *name)
{
    EngineRef r;
    return find_engine(name, &r);
}

static int validate(const AimScalerSettings *s, EngineRef *engine)
{
    const AimLog *log = &s->log;
    if (!s->engine) {
        aim_log(log, AIM_LOG_ERROR, "scale: no engine name");
        return AIM_ERR(EINVAL);
    }
    if (!find_engine(s->engine, engine)) {
        aim_log(log, AIM_LOG_ERROR, "scale: unknown engine '%s'", s->engine);
        return AIM_ERR(EINVAL);
    }
    if (s->src_w < 1 || s->src_h < 1 || s->dst_w < 1 || s->dst_h < 1 ||
        s->src_w > AIM_SCALE_MAX_DIM || s->src_h > AIM_SCALE_MAX_DIM ||
        s->dst_w > AIM_SCALE_MAX_DIM || s->dst_h > AIM_SCALE_MAX_DIM) {
        aim_log(log, AIM_LOG_ERROR, "scale: bad size %dx%d -> %dx%d (1..%d)", s->src_w,
                s->src_h, s->dst_w, s->dst_h, AIM_SCALE_MAX_DIM);
        return AIM_ERR(EINVAL);
    }
    if (s->depth != 8 && s->depth != 10) {
        aim_log(log, AIM_LOG_ERROR, "scale: depth %d (8 or 10)", s->depth);
        return AIM_ERR(EINVAL);
    }
    if (s->color.chroma_loc < 0 || s->color.chroma_loc > 6) {
        aim_log(log, AIM_LOG_ERROR, "scale: chroma_loc %d (0..6)", s->color.chroma_loc);
        return AIM_ERR(EINVAL);
    }
    if (s->color.range < 0 || s->color.range > 2 || s->color.matrix < 0 ||
        s->color.matrix > 255 || s->color.primaries < 0 || s->color.primaries > 255 ||
        s->color.transfer < 0 || s->color.transfer > 255) {
        aim_log(log, AIM_LOG_ERROR, "scale: bad colour description");
        return AIM_ERR(EINVAL);
    }
    if (!valid_strength(s->restore.deblock) || !valid_strength(s->restore.denoise) ||
        !valid_strength(s->restore.sharpen) || !valid_strength(s->antiring)) {
        aim_log(log, AIM_LOG_ERROR, "scale: restore strengths and antiring must be in [0, 1]");
        return AIM_ERR(EINVAL);
    }
    if (s->noise < 0 || s->noise > 3) {
        aim_log(log, AIM_LOG_ERROR, "scale: noise level must be 0..3");
        return AIM_ERR(EINVAL);
    }
    if (s->log.max_level < AIM_LOG_ERROR || s->log.max_level > AIM_LOG_DEBUG)
        return AIM_ERR(EINVAL);
    // pool (may be NULL), cpu_flags (any mask) and models_dir (NULL = default) need no check.
    return 0;
}

// Row slices per plane; `align` keeps slice starts on block rows (deblocking in place).
static int pass_init(Pass *ps, int h, int planes, int threads, int align)
{
    int rows = threads > 1 ? (h + threads * 3 - 1) / (threads * 3) : h;
    rows = (rows + align - 1) / align * align;
    if (rows < 32)
        rows = 32;
    int n = 0;
    for (int p = 0; p < planes; p++) {
        int ph = p ? aim_chroma_h(h) : h;
        n += (ph + rows - 1) / rows;
    }
    ps->jobs = calloc((size_t)n, sizeof(*ps->jobs));
    if (!ps->jobs)
        return AIM_ERR(ENOMEM);
    ps->njobs = 0;
    for (int p = 0; p < planes; p++) {
        int ph = p ? aim_chroma_h(h) : h;
        for (int y = 0; y < ph; y += rows)
            ps->jobs[ps->njobs++] = (Job){ p, y, y + rows < ph ? y + rows : ph };
    }
    return 0;
}

void aim_scaler_destroy(AimScaler **ps)
{
    if (!ps || !*ps)
        return;
    AimScaler *s = *ps;
    if (s->engine)
        s->engine->destroy(&s->priv);
    aim_frame_unref(&s->buf_a);
    aim_frame_unref(&s->buf_b);
    aim_frame_unref(&s->buf_luma);
    free(s->src_pass.jobs);
    free(s->dst_pass.jobs);
    free(s);
    *ps = NULL;
}

int aim_scaler_create(AimScaler **out, const AimScalerSettings *set)
{
    if (!out || !set)
        return AIM_ERR(EINVAL);
    EngineRef engine;
    int ret = validate(set, &engine);
    if (ret)
        return ret;
    AimScaler *s = calloc(1, sizeof(*s));
    if (!s)
        return AIM_ERR(ENOMEM);
    s->s = *set;
    s->s.engine = engine.name; // do not keep the caller's string
    s->s.models_dir = NULL;
    aim_scale_dsp_init(&s->dsp, set->cpu_flags);
    aim_restore_params_init(&s->rp, &set->restore, set->depth);
    // A restoration model replaces the classic deblock, denoise and sharpen (models.h
    // `denoises`; bench/RESULTS-nn.md: sharpening waifu2x's output cost ~1 dB).
    s->do_deblock = s->rp.do_deblock;
    s->do_denoise = s->rp.do_denoise;
    s->do_sharpen = s->rp.sharpen_q > 0;
    if (engine.denoises && (s->do_deblock || s->do_denoise || s->do_sharpen)) {
        aim_log(&set->log, AIM_LOG_DEBUG, "scale: %s restores itself: classic deblock, "
                "denoise and sharpen skipped", engine.name);
        s->do_deblock = s->do_denoise = s->do_sharpen = 0;
    }
    const int threads = aim_pool_threads(set->pool);
    if (!ret && (s->do_deblock || s->do_denoise)) {
        ret = aim_frame_alloc(&s->buf_a, set->src_w, set->src_h, set->depth, 1);
        if (!ret && s->do_deblock && s->do_denoise)
            ret = aim_frame_alloc(&s->buf_b, set->src_w, set->src_h, set->depth, 1);
        if (!ret)
            ret = pass_init(&s->src_pass, set->src_h, 3, threads, 8);
    }
    if (!ret && s->do_sharpen) {
        // Only its luma plane is used (the chroma planes cost half the luma's memory).
        ret = aim_frame_alloc(&s->buf_luma, set->dst_w, set->dst_h, set->depth, 1);
        if (!ret)
            ret = pass_init(&s->dst_pass, set->dst_h, 1, threads, 1);
    }
    if (!ret) {
        s->engine = engine.vt;
        ret = engine.vt->create(&s->priv, set);
        if (ret) {
            s->engine = NULL;
            if (ret != AIM_ERR_MODEL_MISSING) // the engine already said how to install it
                aim_log(&set->log, AIM_LOG_ERROR, "scale: engine '%s': %s", engine.name,
                        aim_strerror(ret));
        }
    }
    if (ret) {
        aim_scaler_destroy(&s);
        return ret;
    }
    aim_log(&set->log, AIM_LOG_DEBUG,
            "scale: %s %dx%d -> %dx%d, %d-bit, chroma_loc %d, deblock %.2f denoise %.2f "
            "sharpen %.2f antiring %.2f", engine.name, set->src_w, set->src_h, set->dst_w,
            set->dst_h, set->depth, set->color.chroma_loc, set->restore.deblock,
            set->restore.denoise, set->restore.sharpen, set->antiring);
    *out = s;
    return 0;
}

// --- restoration passes (jobs over Pass slices; pin -> pout plane by plane)

static void job_deblock_rows(void *ctx, int j, int nj)
{
    AimScaler *s = ctx;
    const Job *jb = &s->src_pass.jobs[j];
    const int p = jb->plane, w = aim_plane_w(s->pin, p);
    for (int y = jb->y0; y < jb->y1; y++)
        memcpy(s->pout->data[p] + y * s->pout->stride[p], s->pin->data[p] + y * s->pin->stride[p],
               (size_t)w * sizeof(uint16_t));
    s->dsp.deblock_v(s->pout->data[p] + jb->y0 * s->pout->stride[p], s->pout->stride[p], w,
                     jb->y1 - jb->y0, &s->rp.db);
}

static void job_deblock_hedges(void *ctx, int j, int nj)
{
    AimScaler *s = ctx;
    const Job *jb = &s->src_pass.jobs[j];
    const int p = jb->plane, w = aim_plane_w(s->pout, p), h = aim_plane_h(s->pout, p);
    // Slices start on multiples of 8; the edge at y belongs to the slice holding row y and
    // touches rows y-2 .. y+1 only, so slices never write the same rows.
    for (int y = (jb->y0 + 7) / 8 * 8; y < jb->y1; y += 8)
        if (y >= 8 && y + 2 < h)
            s->dsp.deblock_h(s->pout->data[p] + y * s->pout->stride[p], s->pout->stride[p], w,
                             &s->rp.db);
}

// 3-row window with the edge rows repeated.
static inline const uint16_t *row_at(const AimFrame *f, int p, int y)
{
    const int h = aim_plane_h(f, p);
    y = y < 0 ? 0 : y >= h ? h - 1 : y;
    return f->data[p] + y * f->stride[p];
}

static void job_denoise(void *ctx, int j, int nj)
{
    AimScaler *s = ctx;
    const Job *jb = &s->src_pass.jobs[j];
    const int p = jb->plane, w = aim_plane_w(s->pin, p);
    const uint8_t *lut = p ? s->rp.lut_chroma : s->rp.lut_luma;
    const int shift = p ? s->rp.shift_chroma : s->rp.shift_luma;
    for (int y = jb->y0; y < jb->y1; y++)
        s->dsp.denoise(s->pout->data[p] + y * s->pout->stride[p], row_at(s->pin, p, y - 1),
                       row_at(s->pin, p, y), row_at(s->pin, p, y + 1), w, lut, shift);
}

static void job_sharpen(void *ctx, int j, int nj)
{
    AimScaler *s = ctx;
    const Job *jb = &s->dst_pass.jobs[j]; // luma only
    const int w = s->pin->width;
    for (int y = jb->y0; y < jb->y1; y++)
        s->dsp.sharpen(s->pout->data[0] + y * s->pout->stride[0], row_at(s->pin, 0, y - 1),
                       row_at(s->pin, 0, y), row_at(s->pin, 0, y + 1), w, s->rp.sharpen_q);
}

static void run_pass(AimScaler *s, const Pass *ps, AimPoolFn fn, const AimFrame *in,
                     AimFrame *out)
{
    s->pin = in;
    s->pout = out;
    aim_pool_run(s->s.pool, fn, s, ps->njobs);
    s->pin = NULL;
    s->pout = NULL;
}

// The engine's run, or run_device on `dev`'s samples (the restoration passes then are off).
static int engine_run(AimScaler *s, const AimFrame *in, struct AimNnGpuYuv *dev, AimFrame *out)
{
    return dev ? s->engine->run_device(s->priv, in, dev, out) : s->engine->run(s->priv, in, out);
}

static int run(AimScaler *s, const AimFrame *in, struct AimNnGpuYuv *dev, AimFrame *out)
{
    if (!s || !in || !out || in->width != s->s.src_w || in->height != s->s.src_h ||
        out->width != s->s.dst_w || out->height != s->s.dst_h || in->depth != s->s.depth ||
        out->depth != s->s.depth ||
        (dev && (!s->engine->run_device || s->do_deblock || s->do_denoise)))
        return AIM_ERR(EINVAL); // not aim_scaler_device: after a fallback run_device downloads
    const AimFrame *src = in;
    if (s->do_deblock) {
        run_pass(s, &s->src_pass, job_deblock_rows, src, s->buf_a);
        run_pass(s, &s->src_pass, job_deblock_hedges, s->buf_a, s->buf_a);
        src = s->buf_a;
    }
    if (s->do_denoise) {
        AimFrame *dst = s->do_deblock ? s->buf_b : s->buf_a;
        run_pass(s, &s->src_pass, job_denoise, src, dst);
        src = dst;
    }
    int ret;
    if (s->do_sharpen) {
        // The engine writes luma into buf_luma and chroma straight into out.
        AimFrame view = *out;
        view.data[0] = s->buf_luma->data[0];
        view.stride[0] = s->buf_luma->stride[0];
        ret = engine_run(s, src, dev, &view);
        if (!ret)
            run_pass(s, &s->dst_pass, job_sharpen, &view, out);
    } else {
        ret = engine_run(s, src, dev, out);
    }
    if (!ret)
        aim_frame_copy_props(out, in);
    return ret;
}

int aim_scaler_run(AimScaler *s, const AimFrame *in, AimFrame *out)
{
    return run(s, in, NULL, out);
}

struct AimVkDevice *aim_scaler_device(const AimScaler *s)
{
    if (!s || !s->engine->device || !s->engine->run_device || s->do_deblock || s->do_denoise)
        return NULL; // the passes before the engine read the host's samples
    return s->engine->device(s->priv);
}

int aim_scaler_run_device(AimScaler *s, const AimFrame *in, struct AimNnGpuYuv *dev,
                          AimFrame *out)
{
    return dev ? run(s, in, dev, out) : AIM_ERR(EINVAL);
}
