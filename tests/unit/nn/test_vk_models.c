// The shipped models test_vk_upscaler does not cover, end to end on the Vulkan backend (lavapipe
// in CI) against the CPU executor, on crops of real anime (../shared/clips/onepiece_demo.mp4):
//  - through aim_nn_upscaler (tiles of 40 px on a 64x64 crop, so the SE models average over
//    sampled tiles first): realcugan-se-conservative x3 and x4, waifu2x-cunet noise 3,
//    anime4k-cnn-m, anime4k-restore-s, anime4k-restore-m;
//  - RIFE v4.6 through aim_nn_rife at t = 0.5 (its warps on the GPU), on a 64x64 pair and a
//    72x40 pair (padded to 96x64 inside the runner).
// PSNR of the RGB output (clamped to [0, 1]) >= 50 dB in fp32 and >= 40 dB in fp16 (issue 11's
// floors); the GPU really ran (the backend name); no validation message. A model that is not
// installed is skipped by name; no model, no clip or no device: exit 77. AIM_VK_ONLY=WORD runs
// only the models whose name contains WORD (by hand: lavapipe on 2 cores takes minutes).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "nn/color.h"
#include "nn/models.h"
#include "nn/rife.h"
#include "nn/upscaler.h"
#include "vk/vk.h"
#include "vk_check.h"
#include "vk_crop.h"

static const AimLog LOG = { vkc_log_cb, NULL, AIM_LOG_WARNING };

// Upscales the crop on dev (NULL: CPU); the output in a new buffer (NULL on failure).
static float *upscale(const char *model, int scale, int noise, AimVkDevice *dev,
                      VkCrop *im)
{
    AimNnUpscalerSettings s;
    aim_nn_upscaler_default_settings(&s);
    s.model = model;
    s.scale = scale;
    s.noise = noise;
    s.tile = 40; // several tiles on 64x64 (and the SE averages sampled first)
    s.device = dev;
    s.log = LOG;
    float *out = vkc_upscale(im, &s);
    if (out)
        CHECK_EQ_INT(im->ow, VKC_CROP_W * scale);
    return out;
}

// RIFE at t = 0.5 between the w x h crops of f0 and f1 on dev (NULL: CPU).
static float *interpolate(const AimFrame *f0, const AimFrame *f1, int w, int h, AimVkDevice *dev)
{
    AimNnRifeSettings s;
    aim_nn_rife_default_settings(&s);
    s.width = w;
    s.height = h;
    s.scale = 1;
    s.device = dev;
    s.log = LOG;
    AimNnRife *r = NULL;
    int err = aim_nn_rife_create(&r, &s);
    CHECK_MSG(err == 0, "rife: create on %s: %s", dev ? "vulkan" : "cpu", aim_strerror(err));
    if (err < 0)
        return NULL;
    if (dev)
        CHECK(!strncmp(aim_nn_rife_backend(r), "vulkan", 6));
    const AimFrame *fr[2] = { f0, f1 };
    for (int k = 0; k < 2; k++) {
        float *rgb[3];
        ptrdiff_t stride;
        aim_nn_rife_input(r, k, rgb, &stride);
        AimNnColor cc;
        aim_nn_color_init(&cc, &fr[k]->color, fr[k]->depth, fr[k]->height);
        aim_nn_yuv_to_rgb(&cc, fr[k], VKC_CROP_X0, VKC_CROP_Y0, w, h, rgb, stride);
    }
    const float *out[3];
    ptrdiff_t stride;
    VkCrop im = { .out = calloc((size_t)3 * w * h, sizeof(float)), .ow = w, .oh = h };
    err = im.out ? aim_nn_rife_run(r, 0.5f, out, &stride) : AIM_ERR(ENOMEM);
    CHECK_MSG(err == 0, "rife run: %s", aim_strerror(err));
    if (!err)
        vkc_crop_store(&im, 0, 0, w, h, out, stride);
    if (dev)
        CHECK(!strncmp(aim_nn_rife_backend(r), "vulkan", 6));
    aim_nn_rife_destroy(&r);
    if (err < 0) {
        free(im.out);
        return NULL;
    }
    return im.out;
}

static int installed(const char *model, const char *file)
{
    if (!vkc_selected(model))
        return 0;
    char path[4096];
    AimLog quiet = { 0 };
    if (aim_models_locate(path, sizeof(path), NULL, model, file, &quiet) == 0)
        return 1;
    fprintf(stderr, "SKIP %s: not installed\n", model);
    return 0;
}

int main(void)
{
    VkCheck vc; // the fp32 and fp16 devices, validation on (skips without a device)
    vkc_open(&vc);
    AimVkDevice **dev = vc.dev;
    AimFrame *f[43];
    vkc_read_frames(&vc, f, 43); // skips without the clip
    CHECK(f[40] && f[42]);
    static const struct { const char *model, *file; int scale, noise; } ups[] = {
        { "realcugan-se-conservative", "up3x-conservative.param", 3, 0 },
        { "realcugan-se-conservative", "up4x-conservative.param", 4, 0 },
        { "waifu2x-cunet", "noise3_scale2.0x_model.param", 2, 3 },
        { "anime4k-cnn-m", "cnn-2x-m-an.json", 2, 0 },
        { "anime4k-restore-s", "cnn-restore-s-an.json", 1, 0 },
        { "anime4k-restore-m", "cnn-restore-m-an.json", 1, 0 },
    };
    int ran = 0;
    for (size_t m = 0; f[42] && m < sizeof(ups) / sizeof(ups[0]); m++) {
        if (!installed(ups[m].model, ups[m].file))
            continue;
        VkCrop im;
        vkc_crop_init(&im, f[40], VKC_CROP_X0, VKC_CROP_Y0);
        float *ref = upscale(ups[m].model, ups[m].scale, ups[m].noise, NULL, &im);
        size_t n = (size_t)3 * im.ow * im.oh;
        char what[96];
        snprintf(what, sizeof(what), "%s x%d noise %d", ups[m].model, ups[m].scale,
                 ups[m].noise);
        for (int k = 0; k < 2 && ref; k++) {
            if (!dev[k])
                continue;
            VkCrop ig = im;
            float *got = upscale(ups[m].model, ups[m].scale, ups[m].noise, dev[k], &ig);
            if (got)
                vkc_psnr_check(what, k, ref, got, n);
            ran += got != NULL;
            free(got);
        }
        free(ref);
    }
    static const int sizes[][2] = { { 64, 64 }, { 72, 40 } };
    for (int s = 0; f[42] && s < 2 && installed(AIM_NN_RIFE_MODEL, "flownet.param"); s++) {
        int w = sizes[s][0], h = sizes[s][1];
        float *ref = interpolate(f[40], f[42], w, h, NULL);
        char what[64];
        snprintf(what, sizeof(what), "rife-v4.6 %dx%d t=0.5", w, h);
        for (int k = 0; k < 2 && ref; k++) {
            if (!dev[k])
                continue;
            float *got = interpolate(f[40], f[42], w, h, dev[k]);
            if (got)
                vkc_psnr_check(what, k, ref, got, (size_t)3 * w * h);
            ran += got != NULL;
            free(got);
        }
        free(ref);
    }
    return vkc_models_finish(&vc, f, 43, ran, "test_vk_models", "none of the models is installed");
}
