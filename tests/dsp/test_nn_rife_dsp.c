// RIFE's ops (src/nn/ops_rife.c): the AVX2 row kernels against their C references, and the
// fast ops (threaded, SIMD) against the reference ops (AimNnOpt.ref), on random and extreme
// inputs, widths that are not multiples of 8, poisoned outputs. Prints the speed-ups.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "nn/ops_rife.h"

static unsigned rng = 4242;
static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((rng >> 8) & 0xffff) / 32768.f - 1.f;
}

// Float kernels: FMA vs separate multiply-add differ by a few ulp of the operands' magnitude.
// Values here are <= 4 in magnitude and pass through 3 lerps: 1e-5 absolute is ~40 ulp.
#define EPS 1e-5

static void test_warp_rows(unsigned flags)
{
    AimRifeKernels k;
    aim_nn_rife_kernels_init(&k, flags);
    if (!(flags & AIM_CPU_AVX2)) {
        fprintf(stderr, "no AVX2: only the C warp is tested\n");
        return;
    }
    CHECK(k.warp_row == aim_nn_rife_warp_row_avx2); // the SIMD path is really selected
    const int sizes[][2] = { { 1, 1 }, { 1, 5 }, { 7, 3 }, { 8, 8 }, { 9, 2 }, { 17, 13 },
                             { 31, 4 }, { 64, 9 }, { 333, 5 } };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        int w = sizes[si][0], h = sizes[si][1], c = 3;
        size_t n = (size_t)w * h;
        float *src = malloc(sizeof(float) * n * c), *fl = malloc(sizeof(float) * n * 2);
        float *d1 = malloc(sizeof(float) * n * c), *d2 = malloc(sizeof(float) * n * c);
        for (size_t i = 0; i < n * c; i++)
            src[i] = frand() * 4;
        for (size_t i = 0; i < n * 2; i++) {
            // mostly small motions, some far outside the image, some non-finite
            float r = frand();
            fl[i] = r * 6;
            if (i % 11 == 3)
                fl[i] = r * 1e6f;
            if (i % 29 == 7)
                fl[i] = NAN;
            if (i % 31 == 5)
                fl[i] = -INFINITY;
            if (i % 37 == 9)
                fl[i] = INFINITY;
        }
        const float *sp[3] = { src, src + n, src + 2 * n };
        float *p1[3] = { d1, d1 + n, d1 + 2 * n }, *p2[3] = { d2, d2 + n, d2 + 2 * n };
        for (int y = 0; y < h; y++) {
            // a part of the row: pixels outside [x0, x1) must stay poisoned
            int x0 = w > 3 ? y % 3 : 0, x1 = w > 5 ? w - (y % 2) : w;
            for (size_t i = 0; i < n * c; i++)
                d1[i] = d2[i] = 777.f;
            aim_nn_rife_warp_row_c(p1, sp, c, fl, fl + n, y, x0, x1, w, h);
            k.warp_row(p2, sp, c, fl, fl + n, y, x0, x1, w, h);
            for (int q = 0; q < c; q++)
                for (int x = 0; x < w; x++) {
                    float a = p1[q][y * w + x], b = p2[q][y * w + x];
                    if (x < x0 || x >= x1)
                        CHECK_MSG(a == 777.f && b == 777.f, "%dx%d row %d x %d written", w, h,
                                  y, x);
                    else
                        CHECK_MSG(fabsf(a - b) <= EPS && isfinite(b), "%dx%d (%d,%d,%d): %g vs %g",
                                  w, h, x, y, q, a, b);
                }
        }
        free(src);
        free(fl);
        free(d1);
        free(d2);
    }
}

static void test_hlerp(unsigned flags)
{
    AimRifeKernels k;
    aim_nn_rife_kernels_init(&k, flags);
    if (!(flags & AIM_CPU_AVX2))
        return;
    CHECK(k.hlerp == aim_nn_rife_hlerp_avx2);
    const int ins[] = { 2, 3, 16, 80, 161 }, outs[] = { 1, 5, 8, 20, 40, 77, 640 };
    for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++)
        for (size_t o = 0; o < sizeof(outs) / sizeof(outs[0]); o++) {
            int in = ins[i], out = outs[o];
            float *src = malloc(sizeof(float) * in), *a = malloc(sizeof(float) * 2 * out);
            float *d1 = malloc(sizeof(float) * (out + 1)), *d2 = malloc(sizeof(float) * (out + 1));
            int *xi = malloc(sizeof(int) * out);
            for (int x = 0; x < in; x++)
                src[x] = frand() * 3;
            aim_nn_rife_linear_coeffs(in, out, (int)(o & 1), xi, a);
            for (int x = 0; x < out; x++)
                CHECK(xi[x] >= 0 && xi[x] + 1 < in);
            d1[out] = d2[out] = 55.f;
            aim_nn_rife_hlerp_c(d1, src, xi, a, out);
            k.hlerp(d2, src, xi, a, out);
            for (int x = 0; x < out; x++)
                CHECK_MSG(fabsf(d1[x] - d2[x]) <= EPS, "%d->%d x %d: %g vs %g", in, out, x,
                          d1[x], d2[x]);
            CHECK(d1[out] == 55.f && d2[out] == 55.f);
            free(src);
            free(a);
            free(d1);
            free(d2);
            free(xi);
        }
}

// Single-thread speed of the selected kernels on a realistic case (640x360x3, smooth flow of
// a few pixels), best of 7 runs: the machine is shared.
static void speed(unsigned flags)
{
    AimRifeKernels k;
    aim_nn_rife_kernels_init(&k, flags);
    int w = 640, h = 360, c = 3;
    size_t n = (size_t)w * h;
    float *src = malloc(sizeof(float) * n * c), *fl = malloc(sizeof(float) * n * 2);
    float *d = malloc(sizeof(float) * n * c);
    for (size_t i = 0; i < n * c; i++)
        src[i] = frand();
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            fl[y * w + x] = 3.5f * sinf(x * 0.01f) + 0.3f * frand();
            fl[n + y * w + x] = 2.5f * cosf(y * 0.013f) + 0.3f * frand();
        }
    const float *sp[3] = { src, src + n, src + 2 * n };
    float *dp[3] = { d, d + n, d + 2 * n };
    double best[2] = { 1e9, 1e9 };
    for (int rep = 0; rep < 7; rep++)
        for (int v = 0; v < 2; v++) {
            AimRifeWarpFn fn = v ? k.warp_row : aim_nn_rife_warp_row_c;
            double t0 = aim_now_s();
            for (int y = 0; y < h; y++)
                fn(dp, sp, c, fl, fl + n, y, 0, w, w, h);
            double t = aim_now_s() - t0;
            best[v] = t < best[v] ? t : best[v];
        }
    fprintf(stderr, "warp_row 640x360x3, 1 thread: c %.2f ms, %s %.2f ms (x%.2f)\n",
            best[0] * 1e3, k.isa, best[1] * 1e3, best[0] / best[1]);
    int *xi = malloc(sizeof(int) * 1280);
    float *a = malloc(sizeof(float) * 2560);
    aim_nn_rife_linear_coeffs(640, 1280, 0, xi, a);
    best[0] = best[1] = 1e9;
    for (int rep = 0; rep < 7; rep++)
        for (int v = 0; v < 2; v++) {
            AimRifeHlerpFn fn = v ? k.hlerp : aim_nn_rife_hlerp_c;
            double t0 = aim_now_s();
            for (int y = 0; y < 3 * h; y++)
                fn(d + (y % 3) * 1280, src + (size_t)y * w, xi, a, 1280);
            double t = aim_now_s() - t0;
            best[v] = t < best[v] ? t : best[v];
        }
    fprintf(stderr, "hlerp 640->1280 x 1080 rows, 1 thread: c %.2f ms, %s %.2f ms (x%.2f)\n",
            best[0] * 1e3, k.isa, best[1] * 1e3, best[0] / best[1]);
    free(src);
    free(fl);
    free(d);
    free(xi);
    free(a);
}

// --- ops: fast vs reference

static void set_int(AimNnLayer *l, int id, int v)
{
    l->p[id].type = AIM_NN_P_INT;
    l->p[id].i = v;
    l->p[id].f = (float)v;
}

static void set_float(AimNnLayer *l, int id, float v)
{
    l->p[id].type = AIM_NN_P_FLOAT;
    l->p[id].f = v;
    l->p[id].i = (int)v;
}

static const AimNnOpDesc *extra(const char *type)
{
    for (int i = 0; i < aim_nn_rife_nops; i++)
        if (!strcmp(aim_nn_rife_ops[i].type, type))
            return &aim_nn_rife_ops[i];
    return NULL;
}

static void fill(AimNnMat *m, float scale)
{
    for (int q = 0; q < m->c; q++)
        for (size_t i = 0; i < (size_t)m->w * m->h; i++)
            aim_nn_chan(m, q)[i] = frand() * scale;
}

// max |a - b| over the w*h*c elements
static double maxdiff(const AimNnMat *a, const AimNnMat *b)
{
    double d = 0;
    for (int q = 0; q < a->c; q++)
        for (size_t i = 0; i < (size_t)a->w * a->h; i++) {
            double e = fabs((double)aim_nn_chan(a, q)[i] - aim_nn_chan(b, q)[i]);
            d = e > d || isnan(e) ? e : d;
        }
    return d;
}

static void test_warp_op(AimPool *pool, unsigned flags)
{
    const AimNnOpDesc *op = extra("rife.Warp");
    CHECK(op != NULL);
    AimNnLayer l;
    memset(&l, 0, sizeof(l));
    strcpy(l.type, "rife.Warp");
    strcpy(l.name, "warp");
    l.nin = 2;
    l.nout = 1;
    const int sizes[][3] = { { 5, 4, 3 }, { 37, 19, 3 }, { 160, 96, 3 }, { 640, 360, 3 } };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        int w = sizes[si][0], h = sizes[si][1], c = sizes[si][2];
        AimNnMat in[2], o1, o2, shape;
        aim_nn_mat_alloc(&in[0], 3, w, h, c);
        aim_nn_mat_alloc(&in[1], 3, w, h, 2);
        fill(&in[0], 1);
        fill(&in[1], 12);
        CHECK(op->shape(&l, in, &shape, NULL) == 0);
        CHECK(shape.w == w && shape.h == h && shape.c == c);
        aim_nn_mat_alloc(&o1, 3, w, h, c);
        aim_nn_mat_alloc(&o2, 3, w, h, c);
        AimNnOpt ref = { 1, 0, NULL, 0 }, fast = { 0, flags, pool, 0 };
        double tr = 1e9, tf = 1e9;
        for (int rep = 0; rep < (w == 640 ? 5 : 1); rep++) { // best of 5: a shared machine
            double t0 = aim_now_s();
            CHECK(op->forward(&l, in, &o1, &ref) == 0);
            double t1 = aim_now_s();
            CHECK(op->forward(&l, in, &o2, &fast) == 0);
            double t2 = aim_now_s();
            tr = t1 - t0 < tr ? t1 - t0 : tr;
            tf = t2 - t1 < tf ? t2 - t1 : tf;
        }
        CHECK_MSG(maxdiff(&o1, &o2) <= EPS, "warp %dx%d: max diff %g", w, h, maxdiff(&o1, &o2));
        if (w == 640)
            fprintf(stderr, "warp 640x360x3 (%s, %d threads): reference %.2f ms, fast %.2f ms "
                    "(x%.1f)\n", flags & AIM_CPU_AVX2 ? "avx2" : "c", aim_pool_threads(pool),
                    tr * 1e3, tf * 1e3, tr / tf);
        aim_nn_mat_free(&in[0]);
        aim_nn_mat_free(&in[1]);
        aim_nn_mat_free(&o1);
        aim_nn_mat_free(&o2);
    }
    // shape errors: flow of another size, one-channel flow
    AimNnMat bad[2] = { { NULL, 3, 8, 8, 3, 0 }, { NULL, 3, 8, 7, 2, 0 } }, out;
    CHECK(op->shape(&l, bad, &out, NULL) == AIM_ERR_INVALID_DATA);
    bad[1].h = 8;
    bad[1].c = 1;
    CHECK(op->shape(&l, bad, &out, NULL) == AIM_ERR_INVALID_DATA);
}

static void test_interp_op(AimPool *pool, unsigned flags)
{
    const AimNnOpDesc *op = extra("Interp"), *ref_op = aim_nn_find_op("Interp");
    CHECK(op != NULL && ref_op != NULL && op != ref_op);
    // (w, h, c, factor, align, type): RIFE's factors and awkward ones; type 1/3 must fall back
    const struct { int w, h, c; float f; int align, type; } cases[] = {
        { 640, 360, 7, 0.125f, 0, 2 }, { 80, 45, 5, 8.f, 0, 2 }, { 160, 96, 8, 0.25f, 0, 2 },
        { 40, 24, 5, 4.f, 0, 2 }, { 320, 192, 8, 0.5f, 0, 2 }, { 33, 17, 3, 2.f, 0, 2 },
        { 37, 23, 2, 1.f / 3, 0, 2 }, { 7, 5, 2, 3.f, 0, 2 }, { 9, 1, 1, 2.f, 0, 2 },
        { 1, 9, 1, 2.f, 0, 2 }, { 13, 11, 2, 2.5f, 1, 2 }, { 16, 16, 2, 0.5f, 1, 2 },
        { 12, 10, 2, 2.f, 0, 1 }, { 12, 10, 2, 2.f, 0, 3 }, { 64, 64, 2, 0.0625f, 0, 2 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        AimNnLayer l;
        memset(&l, 0, sizeof(l));
        strcpy(l.type, "Interp");
        strcpy(l.name, "interp");
        l.nin = l.nout = 1;
        set_int(&l, 0, cases[i].type);
        set_float(&l, 1, cases[i].f);
        set_float(&l, 2, cases[i].f);
        set_int(&l, 6, cases[i].align);
        int wt[AIM_NN_MAX_WEIGHTS] = { 0 };
        CHECK(op->check(&l, wt, NULL) == 0);
        AimNnMat in, shape, o1, o2;
        aim_nn_mat_alloc(&in, 3, cases[i].w, cases[i].h, cases[i].c);
        fill(&in, 2);
        CHECK(op->shape(&l, &in, &shape, NULL) == 0);
        CHECK_EQ_INT(shape.w, (int)(cases[i].w * cases[i].f));
        aim_nn_mat_alloc(&o1, 3, shape.w, shape.h, shape.c);
        aim_nn_mat_alloc(&o2, 3, shape.w, shape.h, shape.c);
        AimNnOpt ref = { 1, 0, NULL, 0 }, fast = { 0, flags, pool, 0 };
        double tr = 1e9, tf = 1e9;
        for (int rep = 0; rep < (i < 2 ? 5 : 1); rep++) {
            double t0 = aim_now_s();
            CHECK(ref_op->forward(&l, &in, &o1, &ref) == 0);
            double t1 = aim_now_s();
            CHECK(op->forward(&l, &in, &o2, &fast) == 0);
            double t2 = aim_now_s();
            tr = t1 - t0 < tr ? t1 - t0 : tr;
            tf = t2 - t1 < tf ? t2 - t1 : tf;
        }
        double d = maxdiff(&o1, &o2);
        CHECK_MSG(d <= EPS, "interp %dx%d x%g align %d type %d: max diff %g", cases[i].w,
                  cases[i].h, cases[i].f, cases[i].align, cases[i].type, d);
        if (i < 2)
            fprintf(stderr, "interp %dx%dx%d x%g (%s, %d threads): reference %.2f ms, fast "
                    "%.2f ms (x%.1f)\n", cases[i].w, cases[i].h, cases[i].c, cases[i].f,
                    flags & AIM_CPU_AVX2 ? "avx2" : "c", aim_pool_threads(pool), tr * 1e3,
                    tf * 1e3, tr / tf);
        aim_nn_mat_free(&in);
        aim_nn_mat_free(&o1);
        aim_nn_mat_free(&o2);
    }
}

static void test_slice_op(void)
{
    const AimNnOpDesc *op = extra("Slice");
    AimNnLayer l;
    memset(&l, 0, sizeof(l));
    strcpy(l.type, "Slice");
    strcpy(l.name, "slice");
    l.nin = 1;
    l.nout = 3;
    int sizes[3] = { 2, -233, -233 };
    float fs[3] = { 2, -233, -233 };
    l.p[0] = (AimNnParam){ AIM_NN_P_ARRAY, 0, 0, 3, sizes, fs };
    int wt[AIM_NN_MAX_WEIGHTS] = { 0 };
    CHECK(op->check(&l, wt, NULL) == 0);
    for (int axis = 0; axis < 3; axis++) {
        set_int(&l, 1, axis);
        AimNnMat in, sh[3], out[3];
        aim_nn_mat_alloc(&in, 3, 7, 8, 6);
        for (int q = 0; q < 6; q++)
            for (int i = 0; i < 56; i++)
                aim_nn_chan(&in, q)[i] = (float)(q * 100 + i);
        CHECK(op->shape(&l, &in, sh, NULL) == 0);
        int len = axis == 0 ? 6 : axis == 1 ? 8 : 7;
        int exp[3] = { 2, (len - 2) / 2, len - 2 - (len - 2) / 2 }, off = 0;
        for (int k = 0; k < 3; k++) {
            int got = axis == 0 ? sh[k].c : axis == 1 ? sh[k].h : sh[k].w;
            CHECK_EQ_INT(got, exp[k]);
            aim_nn_mat_alloc(&out[k], 3, sh[k].w, sh[k].h, sh[k].c);
        }
        AimNnOpt o = { 1, 0, NULL, 0 };
        CHECK(op->forward(&l, &in, out, &o) == 0);
        for (int k = 0; k < 3; k++) {
            for (int q = 0; q < out[k].c; q++)
                for (int y = 0; y < out[k].h; y++)
                    for (int x = 0; x < out[k].w; x++) {
                        int sq = q + (axis == 0 ? off : 0), sy = y + (axis == 1 ? off : 0);
                        int sx = x + (axis == 2 ? off : 0);
                        CHECK(aim_nn_chan(&out[k], q)[y * out[k].w + x] ==
                              (float)(sq * 100 + sy * 7 + sx));
                    }
            off += exp[k];
            aim_nn_mat_free(&out[k]);
        }
        aim_nn_mat_free(&in);
    }
    // slices that do not fit
    sizes[0] = 9;
    set_int(&l, 1, 0);
    AimNnMat in = { NULL, 3, 4, 4, 6, 0 }, sh[3];
    CHECK(op->shape(&l, &in, sh, NULL) == AIM_ERR_INVALID_DATA);
}

int main(void)
{
    unsigned flags = aim_cpu_detect();
    AimPool *pool = NULL;
    CHECK(aim_pool_create(&pool, 1) == 0);
    test_warp_rows(flags);
    test_hlerp(flags);
    speed(flags);
    test_warp_op(pool, flags);
    test_warp_op(pool, 0);
    test_interp_op(pool, flags);
    test_interp_op(pool, 0); // the threaded path with C kernels
    test_slice_op();
    aim_pool_destroy(&pool);
    return test_finish("test_nn_rife_dsp");
}
