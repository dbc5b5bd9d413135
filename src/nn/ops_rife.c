// RIFE's extra ops (ops_rife.h): rife.Warp, a fast bilinear Interp, Slice. Each forward picks
// the plain C reference when AimNnOpt.ref is set, else the threaded path with the row kernels
// aim_nn_rife_kernels_init selects.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "nn/ops_rife.h"
#include "nn/warp.h"

#define BAD(...) do { aim_log(log, AIM_LOG_ERROR, __VA_ARGS__); return AIM_ERR_INVALID_DATA; } while (0)

// Rows per pool job: enough work per job to amortise the hand-off, and several jobs per
// thread so uneven threads (a shared machine) still finish together.
#define JOBS_PER_THREAD 4

static int njobs_for(const AimNnOpt *o, int rows)
{
    int n = JOBS_PER_THREAD * aim_pool_threads(o->pool);
    return n < rows ? n : rows > 0 ? rows : 1;
}

void aim_nn_rife_kernels_init(AimRifeKernels *k, unsigned cpu_flags)
{
    k->warp_row = aim_nn_rife_warp_row_c;
    k->hlerp = aim_nn_rife_hlerp_c;
    k->isa = "c";
#if defined(__x86_64__) || defined(__i386__)
    if (cpu_flags & AIM_CPU_AVX2) {
        k->warp_row = aim_nn_rife_warp_row_avx2;
        k->hlerp = aim_nn_rife_hlerp_avx2;
        k->isa = "avx2";
    }
#endif
}

// --- rife.Warp

decl_rife_warp_fn(aim_nn_rife_warp_row_c)
{
    const float wm1 = (float)(w - 1), hm1 = (float)(h - 1);
    size_t row = (size_t)y * w;
    for (int x = x0; x < x1; x++) {
        float sx = (float)x + fx[row + x], sy = (float)y + fy[row + x];
        // Clamp to the image (border padding); the comparisons map NaN to 0.
        sx = sx > 0 ? sx : 0;
        sx = sx < wm1 ? sx : wm1;
        sy = sy > 0 ? sy : 0;
        sy = sy < hm1 ? sy : hm1;
        int l = (int)sx, t = (int)sy; // floor: both are >= 0
        int r = l + 1 < w ? l + 1 : w - 1, bt = t + 1 < h ? t + 1 : h - 1;
        float a = sx - (float)l, b = sy - (float)t;
        size_t i00 = (size_t)t * w + l, i01 = (size_t)t * w + r;
        size_t i10 = (size_t)bt * w + l, i11 = (size_t)bt * w + r;
        for (int q = 0; q < c; q++) {
            const float *s = src[q];
            float top = s[i00] * (1 - a) + s[i01] * a;
            float bot = s[i10] * (1 - a) + s[i11] * a;
            dst[q][row + x] = top * (1 - b) + bot * b;
        }
    }
}

// Shape and the reference forward are the plain op of src/nn/warp.c (the specification); the
// fast forward runs the row kernels over the pool.
static int warp_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    return aim_nn_op_rife_warp.shape(l, in, out, log);
}

typedef struct WarpJob {
    const AimNnMat *in;
    AimNnMat *out;
    AimRifeWarpFn fn;
} WarpJob;

static void warp_rows(void *ctx, int job, int njobs)
{
    WarpJob *j = ctx;
    const AimNnMat *im = &j->in[0], *fl = &j->in[1];
    const float *src[64];
    float *dst[64];
    for (int q = 0; q < im->c; q++) {
        src[q] = aim_nn_chan(im, q);
        dst[q] = aim_nn_chan(j->out, q);
    }
    int y0 = (int)((int64_t)im->h * job / njobs), y1 = (int)((int64_t)im->h * (job + 1) / njobs);
    for (int y = y0; y < y1; y++)
        j->fn(dst, src, im->c, aim_nn_chan(fl, 0), aim_nn_chan(fl, 1), y, 0, im->w, im->w,
              im->h);
}

static int warp_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    if (o->ref || in[0].c > 64) // 64: the kernels' channel pointer arrays
        return aim_nn_op_rife_warp.forward(l, in, out, o);
    WarpJob j = { in, out, aim_nn_rife_warp_row_c };
    AimRifeKernels k;
    aim_nn_rife_kernels_init(&k, o->cpu_flags);
    j.fn = k.warp_row;
    aim_pool_run(o->pool, warp_rows, &j, njobs_for(o, in[0].h));
    return 0;
}

// --- Interp, bilinear fast path

void aim_nn_rife_linear_coeffs(int in, int out, int align, int *xi, float *a)
{
    double scale = align && out > 1 ? (double)(in - 1) / (out - 1) : (double)in / out;
    for (int d = 0; d < out; d++) {
        float f = align ? (float)(d * scale) : (float)((d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        f -= (float)s;
        if (s < 0) {
            s = 0;
            f = 0;
        }
        if (s >= in - 1) {
            s = in - 2;
            f = 1;
        }
        if (s < 0) { // in == 1: both taps are sample 0
            s = 0;
            f = 0;
        }
        xi[d] = s;
        a[2 * d] = 1 - f;
        a[2 * d + 1] = f;
    }
}

decl_rife_hlerp_fn(aim_nn_rife_hlerp_c)
{
    for (int x = 0; x < n; x++)
        dst[x] = src[xi[x]] * a[2 * x] + src[xi[x] + 1] * a[2 * x + 1];
}

typedef struct InterpJob {
    const AimNnMat *in;
    AimNnMat *out;
    AimRifeHlerpFn hlerp;
    int *xi, *yi;
    float *xa, *ya;
    float *tmp; ///< per job: 2 rows of out->w
    int err;
} InterpJob;

static void interp_rows(void *ctx, int job, int njobs)
{
    InterpJob *j = ctx;
    const AimNnMat *in = j->in;
    AimNnMat *out = j->out;
    int ow = out->w, oh = out->h;
    float *r0 = j->tmp + (size_t)job * 2 * ow, *r1 = r0 + ow;
    // Jobs take bands of (channel, row) pairs so small planes still split over threads.
    int64_t total = (int64_t)out->c * oh;
    int64_t p0 = total * job / njobs, p1 = total * (job + 1) / njobs;
    int cached_q = -1, cached_y = -1;
    for (int64_t p = p0; p < p1; p++) {
        int q = (int)(p / oh), y = (int)(p % oh);
        const float *s = aim_nn_chan(in, q);
        int sy = j->yi[y];
        if (q != cached_q || sy != cached_y) {
            if (q == cached_q && sy == cached_y + 1) { // slide down one source row
                float *t = r0;
                r0 = r1;
                r1 = t;
            } else {
                j->hlerp(r0, s + (size_t)sy * in->w, j->xi, j->xa, ow);
            }
            int sy1 = sy + 1 < in->h ? sy + 1 : sy;
            j->hlerp(r1, s + (size_t)sy1 * in->w, j->xi, j->xa, ow);
            cached_q = q;
            cached_y = sy;
        }
        float b0 = j->ya[2 * y], b1 = j->ya[2 * y + 1];
        float *d = aim_nn_chan(out, q) + (size_t)y * ow;
        for (int x = 0; x < ow; x++)
            d[x] = r0[x] * b0 + r1[x] * b1;
    }
}

static int interp_fast_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out,
                           const AimNnOpt *o)
{
    const AimNnOpDesc *ref = aim_nn_find_op("Interp");
    // Only bilinear, only from inputs at least 2 wide: everything else is the reference op.
    if (o->ref || aim_nn_pi(l, 0, 0) != 2 || in->w < 2)
        return ref->forward(l, in, out, o);
    int align = aim_nn_pi(l, 6, 0);
    int njobs = njobs_for(o, out->c * out->h);
    InterpJob j = { in, out, NULL, NULL, NULL, NULL, NULL, NULL, 0 };
    j.xi = malloc(sizeof(int) * ((size_t)out->w + out->h));
    j.xa = malloc(sizeof(float) * 2 * ((size_t)out->w + out->h));
    j.tmp = malloc(sizeof(float) * 2 * (size_t)out->w * njobs);
    if (!j.xi || !j.xa || !j.tmp) {
        free(j.xi);
        free(j.xa);
        free(j.tmp);
        return AIM_ERR(ENOMEM);
    }
    j.yi = j.xi + out->w;
    j.ya = j.xa + 2 * (size_t)out->w;
    aim_nn_rife_linear_coeffs(in->w, out->w, align, j.xi, j.xa);
    aim_nn_rife_linear_coeffs(in->h, out->h, align, j.yi, j.ya);
    AimRifeKernels k;
    aim_nn_rife_kernels_init(&k, o->cpu_flags);
    j.hlerp = k.hlerp;
    aim_pool_run(o->pool, interp_rows, &j, njobs);
    free(j.xi);
    free(j.xa);
    free(j.tmp);
    return j.err;
}

static int interp_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    return aim_nn_find_op("Interp")->check(l, wtype, log);
}

static int interp_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out,
                        const AimLog *log)
{
    return aim_nn_find_op("Interp")->shape(l, in, out, log);
}

// --- Slice (ncnn: param 0 = slice sizes, -233 = an equal share of what is left; 1 = axis)

static int slice_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    const AimNnParam *p = &l->p[0];
    if (p->type != AIM_NN_P_ARRAY || p->n != l->nout)
        BAD("%s: Slice needs one slice size per output (%d)", l->name, l->nout);
    for (int i = 0; i < p->n; i++)
        if (p->ai[i] != -233 && p->ai[i] < 1)
            BAD("%s: slice size %d", l->name, p->ai[i]);
    if (l->p[2].type != AIM_NN_P_NONE)
        BAD("%s: Slice by indices is not supported", l->name);
    return 0;
}

int aim_nn_slice_sizes(const AimNnLayer *l, const AimNnMat *in, int *k, int *sz,
                       const AimLog *log)
{
    int dims = in->dims, ax = aim_nn_pi(l, 1, 0);
    if (ax < 0)
        ax += dims;
    if (ax < 0 || ax >= dims)
        BAD("%s: slice axis %d for %d dims", l->name, aim_nn_pi(l, 1, 0), dims);
    *k = ax + 3 - dims;
    int len = *k == 0 ? in->c : *k == 1 ? in->h : in->w, used = 0;
    const AimNnParam *p = &l->p[0];
    for (int i = 0; i < l->nout; i++) {
        int s = p->ai[i] == -233 ? (len - used) / (l->nout - i) : p->ai[i];
        if (s < 1 || used + s > len)
            BAD("%s: slices do not fit the %d elements of the axis", l->name, len);
        sz[i] = s;
        used += s;
    }
    return 0;
}

static int slice_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    int k, sz[256];
    int err = aim_nn_slice_sizes(l, in, &k, sz, log);
    if (err < 0)
        return err;
    for (int i = 0; i < l->nout; i++)
        out[i] = (AimNnMat){ NULL, in->dims, k == 2 ? sz[i] : in->w, k == 1 ? sz[i] : in->h,
                             k == 0 ? sz[i] : in->c, 0 };
    return 0;
}

static int slice_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int k, sz[256], off = 0;
    aim_nn_slice_sizes(l, in, &k, sz, NULL);
    for (int i = 0; i < l->nout; i++) {
        AimNnMat *m = &out[i];
        for (int q = 0; q < m->c; q++)
            for (int y = 0; y < m->h; y++)
                memcpy(aim_nn_chan(m, q) + (size_t)y * m->w,
                       aim_nn_chan(in, q + (k == 0 ? off : 0)) +
                       (size_t)(y + (k == 1 ? off : 0)) * in->w + (k == 2 ? off : 0),
                       sizeof(float) * m->w);
        off += sz[i];
    }
    return 0;
}

const AimNnOpDesc aim_nn_rife_ops[] = {
    { "rife.Warp", 2, 2, 1, 1, NULL, NULL, NULL, warp_shape, warp_fwd },
    { "Interp", 1, 1, 1, 1, interp_check, NULL, NULL, interp_shape, interp_fast_fwd },
    { "Slice", 1, 1, 1, 256, slice_check, NULL, NULL, slice_shape, slice_fwd },
};
const int aim_nn_rife_nops = (int)(sizeof(aim_nn_rife_ops) / sizeof(aim_nn_rife_ops[0]));
