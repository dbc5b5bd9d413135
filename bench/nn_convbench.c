// Convolution speed: our indirect-GEMM kernels (AVX2 and the C reference) against im2col +
// OpenBLAS sgemm (when built with it), on the layer that dominates the anime upscalers:
// 3x3, 64 -> 64 channels, stride 1, pad 1. Single thread, same process, interleaved runs.
// usage: nn_convbench [W H] [reps]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cpu.h"
#include "nn/net.h"
#ifdef AIM_HAVE_OPENBLAS
#include <cblas.h>
void openblas_set_num_threads(int);
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int W = argc > 2 ? atoi(argv[1]) : 256, H = argc > 2 ? atoi(argv[2]) : 256;
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    int C = 64, K = 3;
    const char *param = "7767517\n2 2\nInput in 0 1 x\n"
                        "Convolution c 1 1 x y 0=64 1=3 4=1 5=1 6=36864\n";
    size_t wn = (size_t)C * C * K * K;
    size_t bn = 4 + wn * 4 + C * 4;
    unsigned char *bin = calloc(1, bn);
    float *w = (float *)(bin + 4);
    for (size_t i = 0; i < wn + C; i++)
        w[i] = (float)((i * 2654435761u) % 1000) / 1000.f - 0.5f;
    AimNet *net;
    if (aim_net_load_ncnn_mem(&net, param, strlen(param), bin, bn, NULL) < 0)
        return 1;
    AimNnMat in;
    aim_nn_mat_alloc(&in, 3, W, H, C);
    for (int q = 0; q < C; q++)
        for (int i = 0; i < W * H; i++)
            aim_nn_chan(&in, q)[i] = (float)((i * 31 + q * 7) % 255) / 255.f;
    double flop = 2.0 * C * C * K * K * W * H;
    unsigned det = aim_cpu_detect();
    const char *names[3] = { "ours avx2+fma (indirect gemm 4x24)", "ours C reference kernel",
                             "ours avx-512 (indirect gemm 4x48)" };
    unsigned flags[3] = { det & ~(unsigned)AIM_CPU_AVX512, 0, det };
    double best[4] = { 1e9, 1e9, 1e9, 1e9 };
#ifdef AIM_HAVE_OPENBLAS
    openblas_set_num_threads(1);
    float *col = malloc(sizeof(float) * C * K * K * W * H);
    float *ob = malloc(sizeof(float) * C * W * H);
#endif
    for (int r = 0; r < reps; r++) {
        for (int k = 0; k < 3; k++) {
            if ((k == 1 && r > 0) || (k == 2 && !(det & AIM_CPU_AVX512)))
                continue; // the C kernel is slow: once
            AimNnOpt opt = { 0, flags[k], NULL, 0 };
            AimNnRun *run;
            aim_nn_run_create(&run, net, &opt);
            int ib = 0, obb = 1;
            const AimNnMat *o;
            double t0 = now();
            aim_nn_run(run, &ib, &in, 1, &obb, &o, 1);
            double t = now() - t0;
            best[k] = t < best[k] ? t : best[k];
            aim_nn_run_destroy(&run);
        }
#ifdef AIM_HAVE_OPENBLAS
        double t0 = now();
        // im2col (zero padding 1), then out[64 x HW] = W[64 x 576] * col[576 x HW] + bias
        for (int c = 0; c < C; c++)
            for (int ky = 0; ky < K; ky++)
                for (int kx = 0; kx < K; kx++) {
                    float *d = col + ((size_t)(c * 9 + ky * 3 + kx)) * W * H;
                    const float *s = aim_nn_chan(&in, c);
                    for (int y = 0; y < H; y++) {
                        int iy = y + ky - 1;
                        for (int x = 0; x < W; x++) {
                            int ix = x + kx - 1;
                            d[y * W + x] = iy < 0 || iy >= H || ix < 0 || ix >= W ? 0 : s[iy * W + ix];
                        }
                    }
                }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, C, W * H, C * 9, 1.f, w, C * 9,
                    col, W * H, 0.f, ob, W * H);
        for (int c = 0; c < C; c++)
            for (int i = 0; i < W * H; i++)
                ob[c * W * H + i] += w[wn + c];
        double t = now() - t0;
        best[3] = t < best[3] ? t : best[3];
#endif
    }
    printf("conv 3x3 64->64 on %dx%d, 1 thread, best of %d (%.2f GFLOP per run)\n", W, H, reps,
           flop * 1e-9);
    for (int k = 0; k < 3; k++)
        if (best[k] < 1e9)
            printf("  %-44s %8.4f s %7.1f GFLOP/s\n", names[k], best[k], flop / best[k] * 1e-9);
#ifdef AIM_HAVE_OPENBLAS
    printf("  %-44s %8.4f s %7.1f GFLOP/s\n", "im2col + OpenBLAS sgemm", best[3],
           flop / best[3] * 1e-9);
    free(col);
    free(ob);
#else
    printf("  (OpenBLAS comparison not built: install libopenblas-dev and reconfigure)\n");
#endif
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);
    free(bin);
    return 0;
}
