// Runs RIFE v4.6 (src/nn/rife.h) on two raw RGB24 frames, for checking the runtime against
// rife-ncnn-vulkan on the very same RGB input and for timing. Not a product tool.
// usage: rife_run IN0.rgb IN1.rgb W H OUT.rgb [--t T] [--scale S] [--ref] [--threads N]
//                 [--models-dir DIR] [--repeat N] [--cpumask LEVEL]
//                 [--device auto|cpu|vulkan|vulkan:N] [--verbose]
// --verbose: debug log, with the device's per-dispatch GPU times (timestamps) after each run.
// --repeat N (N > 1) also prints the steady frames/s: runs 2..N (the first creates the device
// pipelines and uploads the weights), as nn_upscale --frames does.
// Output: RGB24, v * 255 + 0.5 truncated and clamped (what the reference tool writes).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "nn/rife.h"
#include "vk/vk.h"

static void log_cb(void *o, AimLogLevel l, const char *m) { fprintf(stderr, "%s\n", m); }

static unsigned char *read_rgb(const char *path, size_t n)
{
    unsigned char *p = malloc(n);
    FILE *f = fopen(path, "rb");
    if (!p || !f || fread(p, 1, n, f) != n) {
        fprintf(stderr, "rife_run: cannot read %zu bytes from %s\n", n, path);
        exit(1);
    }
    fclose(f);
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: rife_run IN0.rgb IN1.rgb W H OUT.rgb [--t T] [--scale S] [--ref] "
                "[--threads N] [--models-dir DIR] [--repeat N] [--cpumask LEVEL] [--device D] "
                "[--verbose]\n");
        return 2;
    }
    int w = atoi(argv[3]), h = atoi(argv[4]), threads = 2, repeat = 1;
    float t = 0.5f;
    AimNnRifeSettings s;
    aim_nn_rife_default_settings(&s);
    s.width = w;
    s.height = h;
    s.log = (AimLog){ log_cb, NULL, AIM_LOG_INFO };
    unsigned cpu = aim_cpu_detect();
    int policy = AIM_VK_CPU, index = 0;
    for (int i = 6; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--ref"))
            s.opt.ref = 1;
        else if (!strcmp(a, "--t") && v)
            t = (float)atof(argv[++i]);
        else if (!strcmp(a, "--scale") && v)
            s.scale = (float)atof(argv[++i]);
        else if (!strcmp(a, "--threads") && v)
            threads = atoi(argv[++i]);
        else if (!strcmp(a, "--repeat") && v)
            repeat = atoi(argv[++i]);
        else if (!strcmp(a, "--models-dir") && v)
            s.models_dir = argv[++i];
        else if (!strcmp(a, "--cpumask") && v) {
            unsigned m;
            if (aim_cpu_parse_mask(argv[++i], &m) < 0)
                return fprintf(stderr, "bad --cpumask\n"), 2;
            cpu &= m;
        } else if (!strcmp(a, "--verbose")) {
            s.log.max_level = AIM_LOG_DEBUG;
        } else if (!strcmp(a, "--device") && v) {
            if (aim_vk_parse_device(argv[++i], &policy, &index) < 0)
                return fprintf(stderr, "bad --device %s\n", argv[i]), 2;
        } else
            return fprintf(stderr, "unknown option %s\n", a), 2;
    }
    AimVkDevice *dev = NULL;
    int e = aim_vk_device_open(&dev, policy, index, s.log.max_level == AIM_LOG_DEBUG,
                               &s.log);
    if (e < 0)
        return fprintf(stderr, "rife_run: device: %s\n", aim_strerror(e)), 1;
    s.device = dev;
    size_t n = (size_t)w * h * 3;
    unsigned char *in[2] = { read_rgb(argv[1], n), read_rgb(argv[2], n) };
    AimPool *pool = NULL;
    if (aim_pool_create(&pool, threads > 1 ? threads - 1 : 0) < 0)
        return 1;
    s.opt.cpu_flags = cpu;
    s.opt.pool = pool;
    AimNnRife *r;
    double t0 = aim_now_s();
    int err = aim_nn_rife_create(&r, &s);
    if (err < 0)
        return fprintf(stderr, "rife_run: %s\n", aim_strerror(err)), err == AIM_ERR_MODEL_MISSING ? 77 : 1;
    double t_load = aim_now_s() - t0;
    for (int k = 0; k < 2; k++) {
        float *p[3];
        ptrdiff_t st;
        aim_nn_rife_input(r, k, p, &st);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    p[c][y * st + x] = in[k][((size_t)y * w + x) * 3 + c] * (1 / 255.f);
    }
    const float *o[3];
    ptrdiff_t ost;
    double best = 1e30, sum = 0, first = 0, c0 = aim_cpu_s();
    for (int i = 0; i < repeat; i++) {
        double a = aim_now_s();
        if ((err = aim_nn_rife_run(r, t, o, &ost)) < 0)
            return fprintf(stderr, "rife_run: %s\n", aim_strerror(err)), 1;
        double d = aim_now_s() - a;
        sum += d;
        first = i == 0 ? d : first;
        best = d < best ? d : best;
    }
    double cpu_run = (aim_cpu_s() - c0) / repeat;
    int pw, ph;
    aim_nn_rife_padded_size(r, &pw, &ph);
    printf("rife_run %dx%d (padded %dx%d) scale %g t %g threads %d%s on %s: load %.3f s, run "
           "%.3f s (best of %d, mean %.3f s, cpu %.3f s), peak %.0f MB\n", w, h, pw, ph,
           aim_nn_rife_scale(r), t, threads, s.opt.ref ? " ref" : "", aim_nn_rife_backend(r),
           t_load, best, repeat,
           sum / repeat, cpu_run, aim_nn_rife_peak_bytes(r) / 1e6);
    if (repeat > 1)
        printf("rife_run steady: %.3f frames/s over %d runs after the first (first %.3f s)\n",
               sum - first > 0 ? (repeat - 1) / (sum - first) : 0, repeat - 1, first);
    unsigned char *out = malloc(n);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                float v = o[c][y * ost + x] * 255.f + 0.5f;
                out[((size_t)y * w + x) * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : (unsigned char)v;
            }
    FILE *f = fopen(argv[5], "wb");
    if (!f || fwrite(out, 1, n, f) != n)
        return fprintf(stderr, "rife_run: cannot write %s\n", argv[5]), 1;
    fclose(f);
    aim_nn_rife_destroy(&r);
    aim_vk_device_destroy(&dev);
    aim_pool_destroy(&pool);
    free(in[0]);
    free(in[1]);
    free(out);
    return 0;
}
