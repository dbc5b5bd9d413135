// nn kernels: the AVX2 indirect GEMM against its C reference, and the fast convolution /
// deconvolution paths against the naive reference ops, on random shapes (widths that are not
// multiples of the 24-pixel block, strides, dilations, groups, asymmetric padding).
// Prints the speed-up of the selected kernel.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test.h"
#include "core/cpu.h"
#include "nn/kernels.h"
#include "nn/net.h"

static unsigned rng = 12345;
static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((rng >> 8) & 0xffff) / 32768.f - 1.f;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// One SIMD kernel (width nr) against the C reference (width 24, called per 24 columns).
static void check_kernel(AimNnGemmFn fn, int nr, const char *name)
{
    int ks[] = { 0, 1, 3, 27, 576, 2304 };
    for (size_t t = 0; t < sizeof(ks) / sizeof(ks[0]); t++) {
        int K = ks[t];
        float *w = malloc(sizeof(float) * (K + 1) * AIM_NN_MR);
        float *b = malloc(sizeof(float) * (K + 1) * 96);
        const float **rows = malloc(sizeof(float *) * (K + 1));
        for (int i = 0; i < (K + 1) * AIM_NN_MR; i++)
            w[i] = frand();
        for (int i = 0; i < (K + 1) * 96; i++)
            b[i] = (t == 1 && i % 5 == 0) ? 65504.f : frand(); // some large values
        for (int r = 0; r < K; r++)
            rows[r] = b + (size_t)((r * 7) % (K + 1)) * 96;
        enum { LD = 56 };
        float o1[AIM_NN_MR * LD], o2[AIM_NN_MR * LD];
        for (int i = 0; i < AIM_NN_MR * LD; i++)
            o1[i] = o2[i] = 12345.f; // poison: columns >= nr must stay untouched
        for (int x = 0; x < nr; x += AIM_NN_NR)
            aim_nn_gemm_c(K, w, rows, 3 + x, o1 + x, LD);
        fn(K, w, rows, 3, o2, LD);
        for (int m = 0; m < AIM_NN_MR; m++)
            for (int n = 0; n < LD; n++) {
                double mag = 0;
                for (int r = 0; r < K; r++)
                    mag += fabs(w[r * AIM_NN_MR + m] * (n < nr ? rows[r][3 + n] : 0));
                // fp32 accumulation in another order: a few ulp of the magnitude sum (FFmpeg
                // float_dsp checks use the same magnitude-scaled epsilon)
                CHECK_MSG(fabs(o1[m * LD + n] - o2[m * LD + n]) <= 1e-6 * (mag + 1) * 4,
                          "%s K=%d m=%d n=%d: %g vs %g", name, K, m, n, o1[m * LD + n],
                          o2[m * LD + n]);
            }
        free(w);
        free(b);
        free(rows);
    }
    // speed, 1 thread, data in L1/L2 like inside a convolution
    int K = 576;
    float *w = calloc((size_t)K * AIM_NN_MR, sizeof(float)), *b = calloc(64 * 3 * 96, sizeof(float));
    const float **rows = malloc(sizeof(float *) * K);
    for (int r = 0; r < K; r++)
        rows[r] = b + (r % 192) * 96;
    float o[AIM_NN_MR * AIM_NN_NR_MAX];
    int reps = 20000;
    double t0 = now();
    for (int i = 0; i < reps; i++)
        for (int x = 0; x < nr; x += AIM_NN_NR)
            aim_nn_gemm_c(K, w, rows, x, o + x, AIM_NN_NR_MAX);
    double tc = now() - t0;
    t0 = now();
    for (int i = 0; i < reps; i++)
        fn(K, w, rows, 0, o, AIM_NN_NR_MAX);
    double ts = now() - t0;
    double flop = (double)reps * K * AIM_NN_MR * nr * 2;
    fprintf(stderr, "gemm %s: %.1f GFLOP/s, C: %.1f GFLOP/s, speed-up %.1fx (1 thread)\n",
            name, flop / ts * 1e-9, flop / tc * 1e-9, tc / ts);
    free(w);
    free(b);
    free(rows);
}

static void test_gemm(unsigned flags)
{
    AimNnKernels k;
    aim_nn_kernels_init(&k, flags);
    if (!(flags & AIM_CPU_AVX2)) {
        fprintf(stderr, "no AVX2: only the C kernel is tested\n");
        return;
    }
    aim_nn_kernels_init(&k, flags & ~(unsigned)AIM_CPU_AVX512);
    CHECK(k.gemm == aim_nn_gemm_avx2 && k.nr == 24); // the SIMD path is really selected
    check_kernel(aim_nn_gemm_avx2, 24, "avx2");
    if (flags & AIM_CPU_AVX512) {
        aim_nn_kernels_init(&k, flags);
        CHECK(k.gemm == aim_nn_gemm_avx512 && k.nr == 48);
        check_kernel(aim_nn_gemm_avx512, 48, "avx512");
    } else {
        fprintf(stderr, "no AVX-512: that kernel is not tested here\n");
    }
}

static void log_cb(void *o, AimLogLevel l, const char *m) { fprintf(stderr, "  log: %s\n", m); }

// One conv/deconv layer with random weights: fast path vs reference.
static void conv_case(const char *type, int cin, int cout, int k, int s, int d, int g, int pl,
                      int pr, int pt, int pb, int w, int h, int act, unsigned flags)
{
    int wsize = cout * (cin / g) * k * k;
    char param[512];
    snprintf(param, sizeof(param),
             "7767517\n2 2\nInput in 0 1 x\n%s c 1 1 x y 0=%d 1=%d 2=%d 3=%d 4=%d 15=%d 14=%d "
             "16=%d 5=1 6=%d 7=%d 9=%d -23310=1,0.2\n", type, cout, k, d, s, pl, pr, pt, pb,
             wsize, g, act);
    size_t bn = 4 + (size_t)wsize * 4 + (size_t)cout * 4;
    unsigned char *bin = calloc(1, bn);
    float *wf = (float *)(bin + 4);
    for (int i = 0; i < wsize + cout; i++)
        wf[i] = frand();
    AimNetSettings st;
    aim_net_default_settings(&st);
    st.log = (AimLog){ log_cb, NULL, AIM_LOG_ERROR };
    AimNet *net = NULL;
    int err = aim_net_load_ncnn_mem(&net, param, strlen(param), bin, bn, &st);
    CHECK_MSG(err == 0, "%s", param);
    free(bin);
    if (err)
        return;
    AimNnMat in;
    aim_nn_mat_alloc(&in, 3, w, h, cin);
    for (int q = 0; q < cin; q++)
        for (int i = 0; i < w * h; i++)
            aim_nn_chan(&in, q)[i] = frand();
    AimPool *pool = NULL;
    aim_pool_create(&pool, 1);
    const AimNnMat *o[2];
    AimNnRun *r[2];
    int ib = 0, ob = 1;
    for (int ref = 0; ref < 2; ref++) {
        AimNnOpt opt = { ref, flags, pool, 0 };
        aim_nn_run_create(&r[ref], net, &opt);
        CHECK_EQ_INT(aim_nn_run(r[ref], &ib, &in, 1, &ob, &o[ref], 1), 0);
    }
    if (o[0] && o[1]) {
        CHECK(o[0]->w == o[1]->w && o[0]->h == o[1]->h && o[0]->c == o[1]->c);
        double maxd = 0;
        for (int q = 0; q < o[0]->c; q++)
            for (int i = 0; i < o[0]->w * o[0]->h; i++)
                maxd = fmax(maxd, fabs(aim_nn_chan(o[0], q)[i] - aim_nn_chan(o[1], q)[i]));
        // inputs/weights in [-1, 1]: sums of cin*k*k products; 1e-5 per unit of magnitude
        double tol = 1e-5 * (cin / g) * k * k + 1e-5;
        CHECK_MSG(maxd <= tol, "%s cin %d cout %d k %d s %d d %d g %d %dx%d: diff %g", type, cin,
                  cout, k, s, d, g, w, h, maxd);
    }
    aim_nn_run_destroy(&r[0]);
    aim_nn_run_destroy(&r[1]);
    aim_pool_destroy(&pool);
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);
}

int main(void)
{
    unsigned flags = aim_cpu_detect();
    test_gemm(flags);
    unsigned levels[3] = { 0, flags & ~(unsigned)AIM_CPU_AVX512, flags };
    for (unsigned f = 0; f < 3; f++) {
        unsigned fl = levels[f];
        conv_case("Convolution", 3, 8, 3, 1, 1, 1, 1, 1, 1, 1, 31, 7, 2, fl);
        conv_case("Convolution", 5, 6, 3, 1, 1, 1, 0, 0, 0, 0, 25, 5, 0, fl);
        conv_case("Convolution", 4, 5, 2, 2, 1, 1, 0, 0, 0, 0, 49, 9, 2, fl);
        conv_case("Convolution", 4, 4, 3, 2, 1, 1, 1, 0, 2, 1, 30, 11, 1, fl);
        conv_case("Convolution", 2, 3, 3, 1, 2, 1, 2, 2, 2, 2, 24, 6, 0, fl);
        conv_case("Convolution", 3, 7, 5, 3, 1, 1, 2, 1, 0, 3, 40, 13, 4, fl);
        conv_case("Convolution", 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, fl);
        conv_case("ConvolutionDepthWise", 8, 8, 3, 1, 1, 8, 1, 1, 1, 1, 26, 4, 1, fl);
        conv_case("ConvolutionDepthWise", 8, 4, 3, 1, 1, 2, 1, 1, 1, 1, 26, 4, 0, fl);
        conv_case("Convolution", 16, 16, 3, 1, 1, 1, 1, 1, 1, 1, 47, 5, 2, fl);
        conv_case("Deconvolution", 4, 3, 2, 2, 1, 1, 0, 0, 0, 0, 29, 5, 2, fl);
        conv_case("Deconvolution", 5, 3, 4, 2, 1, 1, 3, 3, 3, 3, 26, 7, 0, fl);
        conv_case("Deconvolution", 3, 2, 3, 1, 1, 1, 1, 1, 1, 1, 9, 3, 1, fl);
        conv_case("Deconvolution", 3, 2, 3, 2, 2, 1, 0, 1, 2, 0, 10, 4, 0, fl);
        conv_case("DeconvolutionDepthWise", 4, 4, 4, 2, 1, 4, 1, 1, 1, 1, 25, 3, 0, fl);
    }
    return test_finish("test_nn_dsp");
}
