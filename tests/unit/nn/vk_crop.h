// Shared by the model tests on the Vulkan backend (test_vk_upscaler, test_vk_models): frames of
// real anime (../shared/clips/onepiece_demo.mp4, or $AIM_SHARED), a crop of one as the models'
// RGB input, their RGB output clamped to [0, 1], and the PSNR of a GPU output against the CPU
// executor's with issue 11's floors. Usage:
//   VkCheck vc; vkc_open(&vc);
//   AimFrame *f[41]; vkc_read_frames(&vc, f, 41);   // exit 77 when the clip is absent
//   VkCrop im; vkc_crop_init(&im, f[40], VKC_CROP_X0, VKC_CROP_Y0);
//   float *ref = vkc_upscale(&im, &settings);          // CPU (device NULL), then each device
//   vkc_psnr_check("model", k, ref, got, n);          // k: 0 fp32, 1 fp16
//   return vkc_models_finish(&vc, f, 41, ran, "test_vk_x", "no model installed");
#ifndef AIM_TESTS_VK_CROP_H
#define AIM_TESTS_VK_CROP_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "io/io.h"
#include "nn/color.h"
#include "nn/upscaler.h"
#include "vk_check.h"

// the crop of frame 40: a face outline, flat cels and a gradient
#define VKC_CROP_W 64
#define VKC_CROP_H 64
#define VKC_CROP_X0 288
#define VKC_CROP_Y0 160

// PSNR floors against the CPU executor, fp32 / fp16, in dB (issue 11's floors)
static const double VKC_PSNR_FLOOR[2] = { 50, 40 };

typedef struct VkCrop {
    const AimFrame *f;
    AimNnColor cc;
    int x0, y0; ///< crop origin in the frame
    float *out; ///< 3 planes of ow x oh, clamped to [0, 1]; the caller allocates and frees
    int ow, oh;
} VkCrop;

static inline void vkc_crop_init(VkCrop *im, const AimFrame *f, int x0, int y0)
{
    *im = (VkCrop){ .f = f, .x0 = x0, .y0 = y0 };
    if (f)
        aim_nn_color_init(&im->cc, &f->color, f->depth, f->height);
}

/** An aim_nn_upscaler_run reader: the crop's RGB. */
static inline void vkc_crop_read(void *opaque, int x0, int y0, int w, int h, float *const rgb[3],
                                 ptrdiff_t stride)
{
    VkCrop *im = opaque;
    aim_nn_yuv_to_rgb(&im->cc, im->f, im->x0 + x0, im->y0 + y0, w, h, rgb, stride);
}

/** Stores a w x h block of planar RGB at (x0, y0) of im->out, clamped to [0, 1]. */
static inline void vkc_crop_store(VkCrop *im, int x0, int y0, int w, int h,
                                  const float *const rgb[3], ptrdiff_t stride)
{
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float v = rgb[c][y * stride + x];
                im->out[((size_t)c * im->oh + y0 + y) * im->ow + x0 + x] =
                    v < 0 ? 0 : v > 1 ? 1 : v;
            }
}

/** An aim_nn_upscaler_run writer: vkc_crop_store. */
static inline void vkc_crop_write(void *opaque, int x0, int y0, int w, int h,
                                  const float *const rgb[3], ptrdiff_t stride)
{
    vkc_crop_store(opaque, x0, y0, w, h, rgb, stride);
}

/** PSNR of b against a (values in [0, 1]); 200 when identical. */
static inline double vkc_psnr(const float *a, const float *b, size_t n)
{
    double se = 0;
    for (size_t i = 0; i < n; i++)
        se += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return se == 0 ? 200 : 10 * log10((double)n / se);
}

/** Checks got (device k: 0 fp32, 1 fp16) against the CPU's ref at the floor, as "<what>". */
static inline void vkc_psnr_check(const char *what, int k, const float *ref, const float *got,
                                  size_t n)
{
    double p = vkc_psnr(ref, got, n);
    fprintf(stderr, "%s %s: %.2f dB against the CPU\n", what, k ? "fp16" : "fp32", p);
    CHECK_MSG(p >= VKC_PSNR_FLOOR[k], "%s %s: %.2f dB < %.0f", what, k ? "fp16" : "fp32", p,
              VKC_PSNR_FLOOR[k]);
}

/**
 * Runs the upscaler `s` describes over the crop (s->device NULL: the CPU executor) into a new
 * im->out of ow x oh (the crop times the model's factor), and checks that a device run stayed on
 * the GPU (no silent fallback). Returns im->out (the caller frees it), or NULL after a failed
 * check (nothing allocated).
 */
static inline float *vkc_upscale(VkCrop *im, const AimNnUpscalerSettings *s)
{
    const char *on = s->device ? "vulkan" : "cpu";
    AimNnUpscaler *u = NULL;
    int err = aim_nn_upscaler_create(&u, s);
    CHECK_MSG(err == 0, "%s x%d: create on %s: %s", s->model, s->scale, on, aim_strerror(err));
    if (err < 0)
        return NULL;
    int f = aim_nn_upscaler_factor(u);
    if (s->device)
        CHECK(!strncmp(aim_nn_upscaler_backend(u), "vulkan", 6));
    im->ow = VKC_CROP_W * f;
    im->oh = VKC_CROP_H * f;
    im->out = calloc((size_t)3 * im->ow * im->oh, sizeof(float));
    err = im->out ? aim_nn_upscaler_run(u, VKC_CROP_W, VKC_CROP_H, vkc_crop_read, vkc_crop_write,
                                        im)
                  : AIM_ERR(ENOMEM);
    CHECK_MSG(err == 0, "%s run on %s: %s", s->model, on, aim_strerror(err));
    if (s->device) // still on the GPU: no silent fallback
        CHECK(!strncmp(aim_nn_upscaler_backend(u), "vulkan", 6));
    aim_nn_upscaler_destroy(&u);
    if (err < 0) {
        free(im->out);
        im->out = NULL;
    }
    return im->out;
}

/**
 * 0 when $AIM_VK_ONLY names a word that `model` does not contain: by hand, to run one model
 * (lavapipe on 2 cores takes minutes per model); 1 otherwise.
 */
static inline int vkc_selected(const char *model)
{
    const char *only = getenv("AIM_VK_ONLY");
    return !only || !*only || strstr(model, only);
}

/**
 * Reads frames 0..n-1 of the clip into f (NULL past its end; the caller unrefs them). Without
 * the clip: closes vc's devices and exits 77 with a message.
 */
static inline void vkc_read_frames(VkCheck *vc, AimFrame **f, int n)
{
    const char *shared = getenv("AIM_SHARED");
    char clip[4096];
    snprintf(clip, sizeof(clip), "%s/clips/onepiece_demo.mp4", shared ? shared : "../shared");
    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = clip;
    rs.log = (AimLog){ 0 };
    AimReader *rdr = NULL;
    if (aim_reader_open(&rdr, &rs) < 0) {
        for (int k = 0; k < 2; k++)
            aim_vk_device_destroy(&vc->dev[k]);
        TEST_SKIP("%s not found (../shared)", clip);
    }
    for (int i = 0; i < n; i++)
        f[i] = NULL;
    for (int i = 0; i < n && aim_reader_read(rdr, &f[i]) == 0; i++)
        ;
    aim_reader_close(&rdr);
}

/**
 * Ends a model test: unrefs f[0..n-1], fails on any validation message and closes the devices;
 * exits 77 with `why` when nothing ran (`ran` 0) and nothing failed, else test_finish(name).
 */
static inline int vkc_models_finish(VkCheck *vc, AimFrame **f, int n, int ran, const char *name,
                                    const char *why)
{
    for (int i = 0; i < n; i++)
        aim_frame_unref(&f[i]);
    for (int k = 0; k < 2; k++) {
        if (vc->dev[k])
            CHECK_EQ_INT(aim_vk_device_messages(vc->dev[k]), 0);
        aim_vk_device_destroy(&vc->dev[k]);
    }
    if (!ran && !test_failures_) {
        test_finish(name);
        TEST_SKIP("%s", why);
    }
    return test_finish(name);
}

#endif
