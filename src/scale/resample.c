// Classic separable resamplers: "lanczos", "bicubic" (Catmull-Rom), "bilinear".
//
// Per plane: horizontal pass on source rows into a per-job ring of int16 rows (14-bit
// intermediate), vertical pass from the ring into the output row. Work is sliced into jobs
// of output rows per plane (aim_pool_run); each job owns its ring, sized at create, so run
// never allocates. A job re-filters the few source rows its vertical window shares with the
// previous job (fs_v - 1 rows), which is why slices are kept at >= 32 rows.
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scale/engine.h"
#include "scale/filter.h"
#include "scale/scale_dsp.h"

typedef struct Job {
    int plane, y0, y1;
} Job;

typedef struct Resampler {
    AimScaleDSP dsp;
    AimScaleFilter fh[2], fv[2]; // [0] luma, [1] chroma
    int depth, ar_q;
    AimPool *pool;
    Job *jobs;
    int njobs;
    int16_t *ring;        // njobs * ring_size samples
    size_t ring_size;     // per job
    ptrdiff_t ring_stride[2];
    const int16_t **rows; // njobs * rows_per_job
    int rows_per_job;
    // per run
    const AimFrame *in;
    AimFrame *out;
} Resampler;

static void resampler_free(Resampler *r)
{
    for (int i = 0; i < 2; i++) {
        aim_scale_filter_free(&r->fh[i]);
        aim_scale_filter_free(&r->fv[i]);
    }
    free(r->jobs);
    free(r->ring);
    free(r->rows);
    free(r);
}

static void destroy(void **priv)
{
    if (!priv || !*priv)
        return;
    resampler_free(*priv);
    *priv = NULL;
}

// chroma_loc (H.273 / AVChromaLocation) -> chroma sample 0 position in luma samples.
static void chroma_offsets(int loc, double *ox, double *oy)
{
    // 0 unspecified: treated as 1 (left), the MPEG-2/H.264/HEVC default for 4:2:0 video.
    *ox = (loc == 2 || loc == 4 || loc == 6) ? 0.5 : 0.0; // center, top, bottom
    *oy = (loc == 3 || loc == 4) ? 0.0 : (loc == 5 || loc == 6) ? 1.0 : 0.5;
}

static int create_kernel(void **priv, const AimScalerSettings *s, AimScaleKernel kernel)
{
    Resampler *r = calloc(1, sizeof(*r));
    if (!r)
        return AIM_ERR(ENOMEM);
    aim_scale_dsp_init(&r->dsp, s->cpu_flags);
    r->depth = s->depth;
    r->pool = s->pool;
    r->ar_q = (int)(s->antiring * (1 << AIM_SCALE_AR_BITS) + 0.5f);
    const double rx = (double)s->src_w / s->dst_w, ry = (double)s->src_h / s->dst_h;
    double ox, oy;
    chroma_offsets(s->color.chroma_loc, &ox, &oy);
    int ret = 0;
    for (int pi = 0; pi < 2 && !ret; pi++) {
        int sw = pi ? aim_chroma_w(s->src_w) : s->src_w;
        int sh = pi ? aim_chroma_h(s->src_h) : s->src_h;
        int dw = pi ? aim_chroma_w(s->dst_w) : s->dst_w;
        int dh = pi ? aim_chroma_h(s->dst_h) : s->dst_h;
        double step, start;
        aim_scale_plane_mapping(rx, pi ? ox : -1.0, &step, &start);
        ret = aim_scale_filter_build(&r->fh[pi], kernel, sw, dw, step, start);
        if (!ret) {
            aim_scale_plane_mapping(ry, pi ? oy : -1.0, &step, &start);
            ret = aim_scale_filter_build(&r->fv[pi], kernel, sh, dh, step, start);
        }
    }
    if (ret) {
        resampler_free(r);
        return ret;
    }
    // Slicing: one job per plane single-threaded (no re-filtered rows); otherwise about
    // 3 luma jobs per thread so the shared pool can balance, but >= 32 rows each (the
    // vertical window re-filters up to fs_v - 1 rows per job: 5 for Lanczos-3 upscaling).
    int threads = aim_pool_threads(s->pool);
    int rows = threads > 1 ? (s->dst_h + threads * 3 - 1) / (threads * 3) : s->dst_h;
    if (rows < 32)
        rows = 32;
    int nj = 0;
    for (int p = 0; p < 3; p++) {
        int dh = p ? aim_chroma_h(s->dst_h) : s->dst_h;
        nj += (dh + rows - 1) / rows;
    }
    r->jobs = calloc((size_t)nj, sizeof(*r->jobs));
    if (!r->jobs) {
        resampler_free(r);
        return AIM_ERR(ENOMEM);
    }
    for (int p = 0; p < 3; p++) {
        int dh = p ? aim_chroma_h(s->dst_h) : s->dst_h;
        for (int y = 0; y < dh; y += rows)
            r->jobs[r->njobs++] = (Job){ p, y, y + rows < dh ? y + rows : dh };
    }
    size_t ring = 0;
    r->rows_per_job = 0;
    for (int pi = 0; pi < 2; pi++) {
        r->ring_stride[pi] = r->fh[pi].n_pad; // a multiple of 16 samples (32 bytes)
        size_t sz = (size_t)r->ring_stride[pi] * r->fv[pi].fs;
        ring = sz > ring ? sz : ring;
        if (r->fv[pi].fs > r->rows_per_job)
            r->rows_per_job = r->fv[pi].fs;
    }
    r->ring_size = ring;
    r->ring = aligned_alloc(64, (ring * r->njobs * sizeof(int16_t) + 63) & ~(size_t)63);
    r->rows = calloc((size_t)r->njobs * r->rows_per_job, sizeof(*r->rows));
    if (!r->ring || !r->rows) {
        resampler_free(r);
        return AIM_ERR(ENOMEM);
    }
    *priv = r;
    return 0;
}

static void run_job(void *ctx, int j, int njobs)
{
    Resampler *r = ctx;
    const Job *jb = &r->jobs[j];
    const int p = jb->plane, pi = p ? 1 : 0;
    const AimScaleFilter *fh = &r->fh[pi], *fv = &r->fv[pi];
    const int fs = fv->fs, n_in = fv->n_in;
    const int ar_q = r->ar_q;
    int16_t *ring = r->ring + (size_t)j * r->ring_size;
    const ptrdiff_t rst = r->ring_stride[pi];
    const int16_t **rows = r->rows + (size_t)j * r->rows_per_job;
    const uint16_t *src = r->in->data[p];
    const ptrdiff_t sst = r->in->stride[p];
    uint16_t *dst = r->out->data[p];
    const ptrdiff_t dst_stride = r->out->stride[p];
    int next = INT_MIN; // next source row to filter horizontally
    for (int y = jb->y0; y < jb->y1; y++) {
        const int o = fv->off[y];
        int last = o + fs - 1;
        if (last > n_in - 1)
            last = n_in - 1; // a padding tap past the last row has a zero coefficient
        if (next < o)
            next = o;
        for (; next <= last; next++)
            r->dsp.h(ring + (next % fs) * rst, src + next * sst, fh->n_out, fh->off,
                     fh->coef_blk, fh->armask_blk, fh->fs, r->depth, ar_q);
        for (int t = 0; t < fs; t++) {
            int sy = o + t < n_in ? o + t : n_in - 1;
            rows[t] = ring + (sy % fs) * rst;
        }
        r->dsp.v(dst + y * dst_stride, rows, fh->n_out, fv->coef + (size_t)y * fs, fs,
                 r->depth, fv->ar_first[y], fv->ar_count[y], ar_q);
    }
}

static int run(void *priv, const AimFrame *in, AimFrame *out)
{
    Resampler *r = priv;
    r->in = in;
    r->out = out;
    aim_pool_run(r->pool, run_job, r, r->njobs);
    r->in = NULL;
    r->out = NULL;
    return 0;
}

static int create_lanczos(void **priv, const AimScalerSettings *s)
{
    return create_kernel(priv, s, AIM_KERNEL_LANCZOS3);
}
static int create_bicubic(void **priv, const AimScalerSettings *s)
{
    return create_kernel(priv, s, AIM_KERNEL_CATMULL_ROM);
}
static int create_bilinear(void **priv, const AimScalerSettings *s)
{
    return create_kernel(priv, s, AIM_KERNEL_BILINEAR);
}

const AimScaleEngine aim_scale_engine_lanczos = { "lanczos", create_lanczos, run, destroy };
const AimScaleEngine aim_scale_engine_bicubic = { "bicubic", create_bicubic, run, destroy };
const AimScaleEngine aim_scale_engine_bilinear = { "bilinear", create_bilinear, run, destroy };
