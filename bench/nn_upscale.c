// Upscales a raw RGB24 image with a registry model through the tiled runtime (src/nn/upscaler)
// and prints seconds, achieved GFLOP/s of the conv layers and peak memory. Used by the
// reference comparison (bench/nn_compare.sh) and the benchmark (bench/nn_bench.sh).
// usage: nn_upscale MODEL SCALE IN.rgb W H OUT.rgb [--tile N] [--context N] [--noise N]
//                   [--ref] [--threads N] [--models-dir DIR] [--gap-tile N] [--verbose]
//                   [--device auto|cpu|vulkan|vulkan:N] [--frames N] [--serial]
// --serial: on a GPU, one tile at a time (the default keeps two in flight: upscaler.h).
// --frames N runs the image N times and also prints the steady frames/s (runs 2..N: the first
// one creates the GPU pipelines) and, on a GPU, the peak device memory.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/cpu.h"
#include "nn/upscaler.h"
#include "vk/vk.h"

typedef struct Img {
    const unsigned char *in;
    unsigned char *out;
    int w, h, ow;
} Img;

static void rd(void *opaque, int x0, int y0, int w, int h, float *const rgb[3], ptrdiff_t stride)
{
    const Img *im = opaque;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                rgb[c][y * stride + x] = im->in[((size_t)(y0 + y) * im->w + x0 + x) * 3 + c] / 255.f;
}

static void wr(void *opaque, int x0, int y0, int w, int h, const float *const rgb[3],
               ptrdiff_t stride)
{
    Img *im = opaque;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                float v = rgb[c][y * stride + x] * 255.f + 0.5f;
                im->out[((size_t)(y0 + y) * im->ow + x0 + x) * 3 + c] =
                    v < 0 ? 0 : v > 255 ? 255 : (unsigned char)v;
            }
}

static void log_cb(void *o, AimLogLevel l, const char *m) { fprintf(stderr, "%s\n", m); }

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: nn_upscale MODEL SCALE IN.rgb W H OUT.rgb [--tile N] "
                "[--context N] [--noise N] [--ref] [--threads N] [--models-dir DIR] [--gap-tile N] "
                "[--verbose]\n");
        return 2;
    }
    AimNnUpscalerSettings s;
    aim_nn_upscaler_default_settings(&s);
    s.model = argv[1];
    s.scale = atoi(argv[2]);
    s.log = (AimLog){ log_cb, NULL, AIM_LOG_WARNING };
    s.opt.cpu_flags = aim_cpu_detect();
    int threads = 2, frames = 1, policy = AIM_VK_CPU, index = 0;
    for (int i = 7; i < argc; i++) {
        if (!strcmp(argv[i], "--tile") && i + 1 < argc)
            s.tile = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--context") && i + 1 < argc)
            s.context = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--noise") && i + 1 < argc)
            s.noise = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--models-dir") && i + 1 < argc)
            s.models_dir = argv[++i];
        else if (!strcmp(argv[i], "--ref"))
            s.opt.ref = 1;
        else if (!strcmp(argv[i], "--gap-tile") && i + 1 < argc)
            s.gap_tile = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cpu-c"))
            s.opt.cpu_flags = 0;
        else if (!strcmp(argv[i], "--verbose"))
            s.log.max_level = AIM_LOG_DEBUG;
        else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
            frames = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--serial"))
            s.serial = 1;
        else if (!strcmp(argv[i], "--device") && i + 1 < argc &&
                 aim_vk_parse_device(argv[++i], &policy, &index) < 0)
            return fprintf(stderr, "bad --device %s\n", argv[i]), 2;
    }
    frames = frames < 1 ? 1 : frames;
    AimVkDevice *dev = NULL;
    int e = aim_vk_device_open(&dev, policy, index, s.log.max_level == AIM_LOG_DEBUG, &s.log);
    if (e < 0)
        return fprintf(stderr, "device: %s\n", aim_strerror(e)), 1;
    if (dev)
        fprintf(stderr, "device: %s (%s)\n", aim_vk_device_info(dev)->name,
                aim_vk_device_fp16(dev) ? "fp16" : "fp32");
    s.device = dev;
    AimPool *pool = NULL;
    if (threads > 1 && aim_pool_create(&pool, threads - 1) < 0)
        return 1;
    s.opt.pool = pool;
    AimNnUpscaler *u;
    int err = aim_nn_upscaler_create(&u, &s);
    if (err < 0)
        return fprintf(stderr, "create: %s\n", aim_strerror(err)), err == AIM_ERR_MODEL_MISSING ? 77 : 1;
    Img im = { NULL, NULL, atoi(argv[4]), atoi(argv[5]), 0 };
    int f = aim_nn_upscaler_factor(u);
    im.ow = im.w * f;
    size_t n = (size_t)im.w * im.h * 3;
    unsigned char *in = malloc(n);
    FILE *fp = fopen(argv[3], "rb");
    if (!fp || fread(in, 1, n, fp) != n)
        return fprintf(stderr, "cannot read %s\n", argv[3]), 1;
    fclose(fp);
    im.in = in;
    im.out = malloc(n * f * f);
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = aim_nn_upscaler_run(u, im.w, im.h, rd, wr, &im);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (err < 0)
        return fprintf(stderr, "run: %s\n", aim_strerror(err)), 1;
    double sec = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    for (int k = 1; k < frames && !err; k++)
        err = aim_nn_upscaler_run(u, im.w, im.h, rd, wr, &im);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    if (err < 0)
        return fprintf(stderr, "run: %s\n", aim_strerror(err)), 1;
    if (frames > 1) {
        double steady = (t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) * 1e-9;
        uint64_t peak = 0;
        if (dev)
            aim_vk_device_allocated(dev, &peak);
        printf("%s x%d %dx%d on %s, tile %d: %.3f frames/s over %d frames after the first "
               "(first %.3f s), device memory peak %.1f MB\n", s.model, aim_nn_upscaler_factor(u),
               im.w, im.h, aim_nn_upscaler_backend(u), aim_nn_upscaler_tile(u),
               (frames - 1) / steady, frames - 1, sec, peak / 1e6);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec * 1e-6;
    printf("%s x%d %dx%d: %.3f s, conv %.1f GFLOP (%.1f GFLOP/s), tensors peak %.1f MB, "
           "max RSS %.1f MB, CPU %.1f s (%.1f GFLOP per CPU-second)\n", s.model, f, im.w, im.h,
           sec, 2 * aim_nn_upscaler_macs(u) * 1e-9, 2 * aim_nn_upscaler_macs(u) * 1e-9 / sec,
           aim_nn_upscaler_peak_bytes(u) / 1e6, ru.ru_maxrss / 1e3, cpu,
           2 * aim_nn_upscaler_macs(u) * 1e-9 / cpu);
    fp = fopen(argv[6], "wb");
    if (!fp || fwrite(im.out, 1, n * f * f, fp) != n * f * f)
        return fprintf(stderr, "cannot write %s\n", argv[6]), 1;
    fclose(fp);
    aim_nn_upscaler_destroy(&u);
    aim_vk_device_destroy(&dev);
    aim_pool_destroy(&pool);
    free(in);
    free(im.out);
    return 0;
}
