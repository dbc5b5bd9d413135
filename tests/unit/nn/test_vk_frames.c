// Frames that stay on the device between Model A and Model B (nn/gpu.h AimNnGpuImage), on
// lavapipe with the validation layer (any message fails), fp32 and fp16:
//  1. The "window" shader (a frame window with reflect-101 or clamp edges -> an input tensor)
//     against its CPU reference aim_nn_window_c over many frame and window shapes (1-pixel
//     frames, odd sizes, windows reaching more than a frame outside), bit for bit: through
//     an Input-only net whose output is its input, once fed from the image on the device and
//     once from the reference's window on the host (the same fp16 rounding on upload).
//  2. RIFE v4.6 -> an upscaler on the device (aim_nn_rife_run_image ->
//     aim_nn_upscaler_run_image) against the host path (aim_nn_rife_run's download ->
//     aim_nn_upscaler_run reading it) on crops of real anime (../shared onepiece_demo.mp4,
//     frames 40 and 42), an odd size: the interpolated frame and the upscaled output
//     must be identical bit for bit, with the upscaler's tiles overlapped and serial.
// No device: exit 77; no models or clip: part 2 is skipped with a message.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "io/io.h"
#include "nn/color.h"
#include "nn/models.h"
#include "nn/rife.h"
#include "nn/upscaler.h"
#include "vk_check.h"

#define UPSCALER "anime4k-cnn-m"
#define UPSCALER_FILE "cnn-2x-m-an.json"
#define TILE 32 // several tiles on the crops below

static int same_bits(const float *a, const float *b, size_t n)
{
    size_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff += memcmp(&a[i], &b[i], sizeof(float)) != 0 || a[i] != a[i];
    if (diff)
        fprintf(stderr, "  %zu of %zu values differ\n", diff, n);
    return diff == 0;
}

// --- 1. the window shader against aim_nn_window_c

static void test_window(VkCheck *vc, AimVkDevice *dev, const char *prec)
{
    static const char param[] = "7767517\n1 1\nInput data 0 1 data\n";
    AimNet *net = vkc_net(vc, param, NULL, 0);
    AimNnGpu *g = NULL;
    AimNnRun *run = NULL;
    AimNnGpuImage *img = NULL;
    AimNnOpt go = { 0 };
    CHECK_EQ_INT(aim_nn_gpu_create(&g, net, dev, &vc->log), 0);
    go.gpu = g;
    CHECK_EQ_INT(aim_nn_run_create(&run, net, &go), 0);
    CHECK_EQ_INT(aim_nn_gpu_image_create(&img, dev), 0);
    int blob = aim_net_blob(net, "data");
    static const int frames[][2] = { { 1, 1 }, { 1, 5 }, { 7, 3 }, { 17, 9 }, { 33, 20 } };
    // windows: (x, y, w, h) as multiples of the frame size plus offsets, reaching outside
    static const int wins[][4] = { { 0, 0, 0, 0 }, { -3, -2, 5, 4 }, { -40, 7, 13, 31 },
                                   { 5, -33, 50, 2 }, { 2, 1, 1, 1 } };
    int cases = 0, ok = 0;
    for (size_t fi = 0; fi < sizeof(frames) / sizeof(frames[0]); fi++) {
        int w = frames[fi][0], h = frames[fi][1];
        AimNnMat fr;
        vkc_rand(&fr, 3, w, h, 3, 7u + (unsigned)fi);
        const float *pl[3] = { aim_nn_chan(&fr, 0), aim_nn_chan(&fr, 1), aim_nn_chan(&fr, 2) };
        CHECK_EQ_INT(aim_nn_gpu_image_upload(img, w, h, pl, w), 0);
        for (size_t wi = 0; wi < sizeof(wins) / sizeof(wins[0]); wi++)
            for (int clamp = 0; clamp < 2; clamp++) {
                int x = wins[wi][0], y = wins[wi][1];
                int bw = wins[wi][2] ? wins[wi][2] : w, bh = wins[wi][3] ? wins[wi][3] : h;
                AimNnMat ref;
                CHECK_EQ_INT(aim_nn_mat_alloc(&ref, 3, bw, bh, 3), 0);
                aim_nn_window_c(&ref, x, y, w, h, clamp, pl, w, 0, 0);
                // host: the reference window uploaded; device: the window cut on the GPU
                const AimNnMat *o = NULL;
                float *host = malloc(sizeof(float) * 3 * (size_t)bw * bh);
                float *devv = malloc(sizeof(float) * 3 * (size_t)bw * bh);
                int err = aim_nn_run(run, &blob, &ref, 1, &blob, &o, 1);
                for (int c = 0; !err && c < 3; c++)
                    memcpy(host + (size_t)c * bw * bh, aim_nn_chan(o, c),
                           sizeof(float) * bw * bh);
                AimNnDevIo io = { img, x, y, clamp, 0, 0 };
                AimNnMat shape = { NULL, 3, bw, bh, 3, 0 };
                if (!err)
                    err = aim_nn_run_submit_dev(run, &blob, &shape, &io, 1, &blob, NULL, 1);
                if (!err)
                    err = aim_nn_run_wait(run, &o);
                for (int c = 0; !err && c < 3; c++)
                    memcpy(devv + (size_t)c * bw * bh, aim_nn_chan(o, c),
                           sizeof(float) * bw * bh);
                CHECK_MSG(err == 0, "window run: %s", aim_strerror(err));
                int same = !err && same_bits(host, devv, (size_t)3 * bw * bh);
                // fp32: the device's window is the reference itself
                if (!err && !aim_nn_gpu_fp16(g))
                    for (int c = 0; c < 3; c++)
                        same &= same_bits(aim_nn_chan(&ref, c), devv + (size_t)c * bw * bh,
                                          (size_t)bw * bh);
                CHECK_MSG(same, "%s window %d,%d %dx%d of a %dx%d frame, %s", prec, x, y, bw,
                          bh, w, h, clamp ? "clamp" : "reflect-101");
                cases++;
                ok += same;
                free(host);
                free(devv);
                aim_nn_mat_free(&ref);
            }
        aim_nn_mat_free(&fr);
    }
    fprintf(stderr, "%s: window shader == aim_nn_window_c on %d of %d shapes\n", prec, ok,
            cases);
    // misuse: an empty image, an image of another device are refused, not run
    AimNnGpuImage *empty = NULL;
    aim_nn_gpu_image_create(&empty, dev);
    AimNnDevIo io = { empty, 0, 0, 0, 0, 0 };
    AimNnMat shape = { NULL, 3, 4, 4, 3, 0 };
    CHECK_EQ_INT(aim_nn_run_submit_dev(run, &blob, &shape, &io, 1, &blob, NULL, 1),
                 AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_nn_run_wait(run, NULL), AIM_ERR(EINVAL)); // nothing left pending
    aim_nn_gpu_image_destroy(&empty);
    aim_nn_gpu_image_destroy(&img);
    aim_nn_run_destroy(&run);
    aim_nn_gpu_destroy(&g);
    aim_net_destroy(&net);
}

// --- 2. RIFE -> upscaler on the device against the download + upload

typedef struct Planes {
    const float *rgb[3];
    ptrdiff_t stride;
    float *out;  ///< the upscaled frame, 3 planes of ow x oh
    int ow, oh;
} Planes;

static void rd(void *opaque, int x0, int y0, int w, int h, float *const rgb[3], ptrdiff_t stride)
{
    Planes *p = opaque;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
            memcpy(rgb[c] + y * stride, p->rgb[c] + (y0 + y) * p->stride + x0,
                   sizeof(float) * (size_t)w);
}

static void wr(void *opaque, int x0, int y0, int w, int h, const float *const rgb[3],
               ptrdiff_t stride)
{
    Planes *p = opaque;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
            memcpy(p->out + ((size_t)c * p->oh + y0 + y) * p->ow + x0, rgb[c] + y * stride,
                   sizeof(float) * (size_t)w);
}

static float *alloc_out(Planes *p, int w, int h, int f)
{
    p->ow = w * f;
    p->oh = h * f;
    p->out = malloc(sizeof(float) * 3 * (size_t)p->ow * p->oh);
    memset(p->out, 0xff, sizeof(float) * 3 * (size_t)p->ow * p->oh); // NaN where not written
    return p->out;
}

static void test_chain(VkCheck *vc, AimVkDevice *dev, const char *prec, const AimFrame *f0,
                       const AimFrame *f1, int w, int h)
{
    AimNnRifeSettings rs;
    aim_nn_rife_default_settings(&rs);
    rs.width = w;
    rs.height = h;
    rs.scale = 1;
    rs.device = dev;
    rs.log = vc->log;
    AimNnRife *r = NULL;
    AimNnGpuImage *img = NULL;
    AimNnUpscaler *u[2] = { NULL, NULL };
    int err = aim_nn_rife_create(&r, &rs);
    CHECK_MSG(err == 0, "rife create: %s", aim_strerror(err));
    if (!err)
        err = aim_nn_gpu_image_create(&img, dev);
    for (int s = 0; s < 2 && !err; s++) {
        AimNnUpscalerSettings us;
        aim_nn_upscaler_default_settings(&us);
        us.model = UPSCALER;
        us.tile = TILE;
        us.device = dev;
        us.serial = s;
        us.log = vc->log;
        err = aim_nn_upscaler_create(&u[s], &us);
        CHECK_MSG(err == 0, "upscaler create: %s", aim_strerror(err));
    }
    const AimFrame *fr[2] = { f0, f1 };
    for (int k = 0; k < 2 && !err; k++) {
        float *rgb[3];
        ptrdiff_t stride;
        aim_nn_rife_input(r, k, rgb, &stride);
        AimNnColor cc;
        aim_nn_color_init(&cc, &fr[k]->color, fr[k]->depth, fr[k]->height);
        aim_nn_yuv_to_rgb(&cc, fr[k], 300, 150, w, h, rgb, stride);
    }
    // the host path: RIFE's output downloaded, each tile uploaded
    Planes host = { { NULL } };
    if (!err)
        err = aim_nn_rife_run(r, 0.5f, host.rgb, &host.stride);
    CHECK_MSG(err == 0, "rife run: %s", aim_strerror(err));
    float *frame = err ? NULL : malloc(sizeof(float) * 3 * (size_t)w * h);
    for (int c = 0; frame && c < 3; c++)
        for (int y = 0; y < h; y++)
            memcpy(frame + ((size_t)c * h + y) * w, host.rgb[c] + y * host.stride,
                   sizeof(float) * (size_t)w);
    // the device path: RIFE's output stays in img
    if (frame) {
        err = aim_nn_rife_run_image(r, 0.5f, img);
        CHECK_MSG(err == 0, "rife run_image: %s", aim_strerror(err));
    }
    if (frame && !err) {
        int iw = 0, ih = 0;
        aim_nn_gpu_image_size(img, &iw, &ih);
        CHECK(iw == w && ih == h);
        float *back = malloc(sizeof(float) * 3 * (size_t)w * h);
        float *pb[3] = { back, back + (size_t)w * h, back + 2 * (size_t)w * h };
        CHECK_EQ_INT(aim_nn_gpu_image_download(img, pb, w), 0);
        CHECK_MSG(same_bits(frame, back, (size_t)3 * w * h),
                  "%s %dx%d: the frame on the device is not RIFE's output", prec, w, h);
        free(back);
        const float *fp[3] = { frame, frame + (size_t)w * h, frame + 2 * (size_t)w * h };
        for (int s = 0; s < 2; s++) {
            int f = aim_nn_upscaler_factor(u[s]);
            Planes a = { { fp[0], fp[1], fp[2] }, w, NULL, 0, 0 }, b = a;
            alloc_out(&a, w, h, f);
            alloc_out(&b, w, h, f);
            CHECK_EQ_INT(aim_nn_upscaler_run(u[s], w, h, rd, wr, &a), 0);
            CHECK_EQ_INT(aim_nn_upscaler_run_image(u[s], img, wr, &b), 0);
            int same = same_bits(a.out, b.out, (size_t)3 * a.ow * a.oh);
            CHECK_MSG(same, "%s %dx%d %s: the upscale from the device differs", prec, w, h,
                      s ? "serial" : "overlapped");
            fprintf(stderr, "%s %dx%d %s: rife -> %s on the device == download + upload "
                    "(%d values)%s\n", prec, w, h, s ? "serial" : "overlapped", UPSCALER,
                    3 * a.ow * a.oh, same ? "" : " FAILED");
            free(a.out);
            free(b.out);
        }
    }
    free(frame);
    for (int s = 0; s < 2; s++)
        aim_nn_upscaler_destroy(&u[s]);
    aim_nn_gpu_image_destroy(&img);
    aim_nn_rife_destroy(&r);
}

int main(void)
{
    VkCheck vc;
    vkc_open(&vc);
    for (int k = 0; k < 2; k++)
        if (vc.dev[k])
            test_window(&vc, vc.dev[k], k ? "fp16" : "fp32");
    const char *shared = getenv("AIM_SHARED");
    char clip[4096], path[4096];
    snprintf(clip, sizeof(clip), "%s/clips/onepiece_demo.mp4", shared ? shared : "../shared");
    AimLog quiet = { 0 };
    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = clip;
    AimReader *rdr = NULL;
    AimFrame *f[43] = { NULL };
    if (aim_models_locate(path, sizeof(path), NULL, AIM_NN_RIFE_MODEL, "flownet.param",
                          &quiet) < 0 ||
        aim_models_locate(path, sizeof(path), NULL, UPSCALER, UPSCALER_FILE, &quiet) < 0)
        fprintf(stderr, "SKIP part 2: %s or %s not installed\n", AIM_NN_RIFE_MODEL, UPSCALER);
    else if (aim_reader_open(&rdr, &rs) < 0)
        fprintf(stderr, "SKIP part 2: %s not found (../shared)\n", clip);
    for (int i = 0; rdr && i <= 42; i++)
        if (aim_reader_read(rdr, &f[i]) < 0)
            break;
    // 45x37: odd, padded to RIFE's stride (64x64), 2x2 upscaler tiles, the last ones partial
    // (one size: RIFE is most of this test's time on lavapipe)
    static const int sizes[][2] = { { 45, 37 } };
    for (int k = 0; k < 2 && f[42]; k++)
        for (int s = 0; s < 1 && vc.dev[k]; s++)
            test_chain(&vc, vc.dev[k], k ? "fp16" : "fp32", f[40], f[42], sizes[s][0],
                       sizes[s][1]);
    for (int i = 0; i <= 42; i++)
        aim_frame_unref(&f[i]);
    aim_reader_close(&rdr);
    return vkc_close(&vc, "test_vk_frames");
}
