// What keeping a frame on the device saves between Model A (RIFE) and Model B (an upscaler) on
// one Vulkan device (issue 11): per frame, the host path (the interpolated frame downloaded,
// then every upscaler tile cut on the host and uploaded) against the device path (each tile
// cut from the frame on the device by the "window" shader), measured in the same run on the
// same device. Both paths end each tile the same way (the tile copied into a device scratch
// frame), and no model runs: the difference is the transfer cost alone.
//
//   build/bench/vk_frame_bench [W H [FRAMES [TILE [CONTEXT]]]]   (default 1920 1080 5 256 20)
//
// TILE and CONTEXT: the upscaler's input tile and overlap per side (realesr-animevideov3's
// context is 20; 256 is its CPU tile, a GPU budget tile is often larger: fewer, larger copies).
// Device: the first Vulkan device of any kind (lavapipe on a machine without a GPU), fp32 and,
// when the device has it, fp16. Validation off (it would dominate the times). AIM_BENCH_TS=1:
// timestamps on, the GPU time per shader ("upload", "window", "download") printed at the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/gpu.h"
#include "nn/upscaler.h"
#include "vk/vk.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void log_cb(void *o, AimLogLevel l, const char *m)
{
    if (l <= AIM_LOG_WARNING || (getenv("AIM_BENCH_TS") && strstr(m, "ms ")))
        fprintf(stderr, "%s\n", m);
}

typedef struct Bench {
    int W, H, T, C;
    AimNet *net;
    AimNnRun *run;
    AimNnGpuImage *frame, *scratch;
    float *host;  ///< 3 planes of W x H
    int blob;
} Bench;

// One frame: the host path (download + per-tile cut and upload) or the device path.
static int one_frame(Bench *b, int device, double *download_ms)
{
    int err = 0;
    if (!device) {
        double t0 = now_ms();
        float *pl[3] = { b->host, b->host + (size_t)b->W * b->H, b->host + 2 * (size_t)b->W * b->H };
        err = aim_nn_gpu_image_download(b->frame, pl, b->W);
        *download_ms += now_ms() - t0;
    }
    const float *pl[3] = { b->host, b->host + (size_t)b->W * b->H,
                           b->host + 2 * (size_t)b->W * b->H };
    AimNnDevIo out = { b->scratch, 0, 0, 0, 0, 0 };
    for (int y0 = 0; y0 < b->H && !err; y0 += b->T)
        for (int x0 = 0; x0 < b->W && !err; x0 += b->T) {
            int x1 = x0 + b->T < b->W ? x0 + b->T : b->W, y1 = y0 + b->T < b->H ? y0 + b->T : b->H;
            int l = x0 - b->C, t = y0 - b->C, bw = x1 - x0 + 2 * b->C, bh = y1 - y0 + 2 * b->C;
            AimNnMat in = { NULL, 3, bw, bh, 3, 0 };
            AimNnDevIo io = { device ? b->frame : NULL, l, t, 0, 0, 0 };
            if (!device) {
                err = aim_nn_mat_alloc(&in, 3, bw, bh, 3);
                if (!err)
                    aim_nn_window_c(&in, l, t, b->W, b->H, 0, pl, b->W, 0, 0);
            }
            if (!err)
                err = aim_nn_run_submit_dev(b->run, &b->blob, &in, &io, 1, &b->blob, &out, 1);
            if (!err)
                err = aim_nn_run_wait(b->run, NULL);
            aim_nn_mat_free(&in);
        }
    return err;
}

static int bench_device(AimVkDevice *dev, int W, int H, int frames, int T, int C)
{
    static const char param[] = "7767517\n1 1\nInput data 0 1 data\n";
    Bench b = { W, H, T, C };
    AimNetSettings ns;
    aim_net_default_settings(&ns);
    ns.log = (AimLog){ log_cb, NULL, AIM_LOG_WARNING };
    AimNnGpu *g = NULL;
    int err = aim_net_load_ncnn_mem(&b.net, param, strlen(param), NULL, 0, &ns);
    if (!err)
        err = aim_nn_gpu_create(&g, b.net, dev, &ns.log);
    AimNnOpt go = { .gpu = g };
    if (!err)
        err = aim_nn_run_create(&b.run, b.net, &go);
    if (!err)
        err = aim_nn_gpu_image_create(&b.frame, dev);
    if (!err)
        err = aim_nn_gpu_image_create(&b.scratch, dev);
    b.host = malloc(sizeof(float) * 3 * (size_t)W * H);
    if (!err && !b.host)
        err = AIM_ERR(ENOMEM);
    b.blob = b.net ? aim_net_blob(b.net, "data") : -1;
    if (!err) {
        for (size_t i = 0; i < (size_t)3 * W * H; i++) // a gradient: the values do not matter
            b.host[i] = (float)(i % 1021) / 1020.f;
        const float *pl[3] = { b.host, b.host + (size_t)W * H, b.host + 2 * (size_t)W * H };
        err = aim_nn_gpu_image_upload(b.frame, W, H, pl, W);
    }
    double ms[2] = { 0, 0 }, down = 0, warm = 0;
    for (int p = 0; p < 2 && !err; p++) // warm-up: pipelines, staging, plans
        err = one_frame(&b, p, &warm);
    // alternate the paths frame by frame, so a change of load on the machine hits both alike
    for (int i = 0; i < frames && !err; i++)
        for (int p = 0; p < 2 && !err; p++) {
            double t0 = now_ms();
            err = one_frame(&b, p, &down);
            ms[p] += now_ms() - t0;
        }
    if (!err) {
        int tiles = ((W + T - 1) / T) * ((H + T - 1) / T);
        double host = ms[0] / frames, devp = ms[1] / frames;
        printf("%-5s %5dx%-5d %6d %7d %12.1f %12.1f %14.1f %12.1f %8.2fx\n",
               aim_nn_gpu_fp16(g) ? "fp16" : "fp32", W, H, tiles, T, host, down / frames, devp,
               host - devp, devp > 0 ? host / devp : 0);
    } else {
        fprintf(stderr, "bench failed: %s\n", aim_strerror(err));
    }
    free(b.host);
    aim_nn_gpu_image_destroy(&b.scratch);
    aim_nn_gpu_image_destroy(&b.frame);
    aim_nn_run_destroy(&b.run);
    aim_nn_gpu_destroy(&g);
    aim_net_destroy(&b.net);
    return err;
}

int main(int argc, char **argv)
{
    int W = argc > 2 ? atoi(argv[1]) : 1920, H = argc > 2 ? atoi(argv[2]) : 1080;
    int frames = argc > 3 ? atoi(argv[3]) : 5, T = argc > 4 ? atoi(argv[4]) : 256;
    int C = argc > 5 ? atoi(argv[5]) : 20;
    if (W < 1 || H < 1 || W > 16384 || H > 16384 || frames < 1 || T < 1 || C < 0) {
        fprintf(stderr, "usage: vk_frame_bench [W H [FRAMES [TILE [CONTEXT]]]]\n");
        return 2;
    }
    printf("prec  frame        tiles    tile  host ms/frame  (download)  device ms/frame  "
           "saved ms  host/device\n");
    int ran = 0;
    for (int fp16 = 0; fp16 < 2; fp16++) {
        AimVkSettings s;
        aim_vk_default_settings(&s);
        s.policy = AIM_VK_ANY;
        s.validation = 0;
        s.timestamps = getenv("AIM_BENCH_TS") != NULL;
        s.fp16 = fp16;
        s.log = (AimLog){ log_cb, NULL, AIM_LOG_DEBUG };
        AimVkDevice *dev = NULL;
        int err = aim_vk_device_create(&dev, &s);
        if (err < 0) {
            fprintf(stderr, "no Vulkan device: %s\n", aim_strerror(err));
            return 77;
        }
        if (fp16 == 0)
            printf("# device: %s (%s)\n", aim_vk_device_info(dev)->name,
                   aim_vk_type_name(aim_vk_device_info(dev)->type));
        if (fp16 && !aim_vk_device_fp16(dev)) {
            aim_vk_device_destroy(&dev);
            break;
        }
        err = bench_device(dev, W, H, frames, T, C);
        aim_vk_device_destroy(&dev);
        if (err < 0)
            return 1;
        ran++;
    }
    return ran ? 0 : 1;
}
