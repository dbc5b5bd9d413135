// Runs an ncnn model on a raw RGB24 image (whole image, border padded like the ncnn-vulkan
// tools), for checking the runtime against the reference tools. Not a product tool.
// usage: nn_run PARAM BIN IN.rgb W H OUT.rgb PAD SCALE [ref] [replicate]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cpu.h"
#include "nn/net.h"

static void log_cb(void *o, AimLogLevel l, const char *m) { fprintf(stderr, "%s\n", m); }

int main(int argc, char **argv)
{
    if (argc < 9) {
        fprintf(stderr, "usage: nn_run PARAM BIN IN.rgb W H OUT.rgb PAD SCALE [ref] [replicate]\n");
        return 2;
    }
    int w = atoi(argv[4]), h = atoi(argv[5]), pad = atoi(argv[7]), scale = atoi(argv[8]);
    int ref = 0, repl = 0;
    for (int i = 9; i < argc; i++) {
        ref |= !strcmp(argv[i], "ref");
        repl |= !strcmp(argv[i], "replicate");
    }
    AimNetSettings s;
    aim_net_default_settings(&s);
    s.log = (AimLog){ log_cb, NULL, AIM_LOG_INFO };
    AimNet *net;
    int err = aim_net_load_ncnn(&net, argv[1], argv[2], &s);
    if (err < 0)
        return fprintf(stderr, "load: %s\n", aim_strerror(err)), 1;
    size_t n = (size_t)w * h * 3;
    unsigned char *rgb = malloc(n);
    FILE *f = fopen(argv[3], "rb");
    if (!f || fread(rgb, 1, n, f) != n)
        return fprintf(stderr, "read failed\n"), 1;
    fclose(f);
    AimNnMat in;
    int pw = w + 2 * pad, ph = h + 2 * pad;
    aim_nn_mat_alloc(&in, 3, pw, ph, 3);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                int sx = x - pad, sy = y - pad;
                if (repl) {
                    sx = sx < 0 ? 0 : sx >= w ? w - 1 : sx;
                    sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
                } else { // reflect-101
                    sx = sx < 0 ? -sx : sx >= w ? 2 * w - 2 - sx : sx;
                    sy = sy < 0 ? -sy : sy >= h ? 2 * h - 2 - sy : sy;
                }
                aim_nn_chan(&in, c)[(size_t)y * pw + x] = rgb[((size_t)sy * w + sx) * 3 + c] / 255.f;
            }
    AimPool *pool = NULL;
    aim_pool_create(&pool, 1);
    AimNnOpt opt = { ref, aim_cpu_detect(), pool };
    AimNnRun *run;
    aim_nn_run_create(&run, net, &opt);
    int ib = -1;
    for (int i = 0; i < net->nlayers; i++)
        if (!strcmp(net->layers[i].type, "Input"))
            ib = net->layers[i].out[0];
    int ob = net->layers[net->nlayers - 1].out[0];
    const AimNnMat *out;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = aim_nn_run(run, &ib, &in, 1, &ob, &out, 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (err < 0)
        return fprintf(stderr, "run: %s\n", aim_strerror(err)), 1;
    fprintf(stderr, "in %dx%d -> out %dx%dx%d in %.3f s, peak %.1f MB\n", pw, ph, out->w, out->h,
            out->c, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9,
            aim_nn_run_peak_bytes(run) / 1e6);
    // The output covers the padded input; crop the centre (models that shrink crop themselves).
    int ow = w * scale, oh = h * scale;
    int ox = (out->w - ow) / 2, oy = (out->h - oh) / 2;
    if (ox < 0 || oy < 0)
        return fprintf(stderr, "output smaller than expected\n"), 1;
    unsigned char *o = malloc((size_t)ow * oh * 3);
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
            for (int c = 0; c < 3; c++) {
                float v = aim_nn_chan(out, c)[(size_t)(y + oy) * out->w + x + ox] * 255.f + 0.5f;
                o[((size_t)y * ow + x) * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : (unsigned char)v;
            }
    f = fopen(argv[6], "wb");
    fwrite(o, 1, (size_t)ow * oh * 3, f);
    fclose(f);
    aim_nn_run_destroy(&run);
    aim_net_destroy(&net);
    aim_pool_destroy(&pool);
    aim_nn_mat_free(&in);
    free(rgb);
    free(o);
    return 0;
}
