// Neural upscaling of RGB images with an ncnn model from the registry (models.h), tiled with
// overlap so memory follows the tile size, not the image size.
//
// Tiles: each tile of T x T input pixels is run with `context` extra pixels on every side
// (real neighbours inside the image; `border` pixels of padding at the image edges, reflect-101
// or clamp-to-edge as the model's ncnn-vulkan tool does), and only its centre is written. With
// context >= the model's receptive field the result equals a single whole-image run (tests
// check this).
// Models with squeeze-excitation blocks (global average pooling: Real-CUGAN SE, waifu2x
// CUNet) see the whole image through those averages; when the image needs several tiles the
// averages are computed first, as the area-weighted mean over a few tiles spread over the image
// (each run at full resolution), and then fed to every tile (realcugan-ncnn-vulkan's sync-gap
// modes do the same kind of thing), so all tiles agree and no seam appears.
//
// On a Vulkan device two tiles are in flight (settings.serial = 0): the device computes tile k
// while the host writes tile k-1 and fills tile k+1; each has its own arena and staging, so
// the tile size from the memory budget is chosen for two arenas (each gets half of what one
// would). The output is bit-identical to one tile at a time.
//
// Thread-safety: one run at a time per upscaler; ops slice their work over the pool.
#ifndef AIM_NN_UPSCALER_H
#define AIM_NN_UPSCALER_H

#include <stddef.h>

#include "nn/net.h"

typedef struct AimNnUpscalerSettings {
    const char *model;      ///< an AIM_MODEL_UPSCALER model of the registry (models.h),
                            ///< "realesr-animevideov3" by default
    int scale;              ///< wanted native factor (2..4); the model's nearest >= is used
    int noise;              ///< waifu2x-cunet denoise level -1..3 (default 0)
    int tile;               ///< input pixels per tile side (0 = the model's default)
    int context;            ///< overlap per side in input pixels (0 = the model's default)
    int gap_tile;           ///< tile side for sampling the SE averages (0 = tile); smaller
                            ///< than the image -> sampled even when one tile would do (tests)
    const char *models_dir; ///< NULL: default folder (models.h)
    AimNnOpt opt;           ///< ref / cpu_flags / pool / max_bytes (opt.gpu: set by the
                            ///< upscaler from `device`, leave NULL)
    /** NULL: the CPU. Else the net runs on this Vulkan device (not owned; must outlive the
     *  upscaler); tile 0 then means "from the device's memory budget". */
    struct AimVkDevice *device;
    /** With a device: 1 = a GPU failure (an op without a Vulkan shader, out of device memory,
     *  a lost device) logs a warning and the CPU takes over (--device auto); 0 = the error is
     *  returned. */
    int device_fallback;
    /** With a device: 0 (default) = two tiles in flight, the device computing one while the
     *  host writes the one before and fills the one after (two arenas: the budget tile is
     *  sized for both); 1 = one tile at a time (the reference the overlap is tested against). */
    int serial;
    AimLog log;
} AimNnUpscalerSettings;

typedef struct AimNnUpscaler AimNnUpscaler;

void aim_nn_upscaler_default_settings(AimNnUpscalerSettings *s);
/** 0, AIM_ERR(EINVAL), AIM_ERR_MODEL_MISSING (message says how to install), AIM_ERR_INVALID_DATA. */
int aim_nn_upscaler_create(AimNnUpscaler **out, const AimNnUpscalerSettings *s);
void aim_nn_upscaler_destroy(AimNnUpscaler **u);
/** The factor the loaded model upscales by. */
int aim_nn_upscaler_factor(const AimNnUpscaler *u);
/** The noise level the loaded model runs at; -1 when it has no levels (or runs without). */
int aim_nn_upscaler_noise(const AimNnUpscaler *u);
/** Multiply-adds of the (de)convolution layers run so far, tiles' overlap included. */
double aim_nn_upscaler_macs(const AimNnUpscaler *u);

/** Reads RGB in [0, 1] of the rectangle (inside the image) into 3 planes of `stride` floats. */
typedef void (*AimNnReadFn)(void *opaque, int x0, int y0, int w, int h, float *const rgb[3],
                            ptrdiff_t stride);
/** Receives upscaled RGB (not clamped) for an output rectangle; x0/y0 are even. */
typedef void (*AimNnWriteFn)(void *opaque, int x0, int y0, int w, int h,
                             const float *const rgb[3], ptrdiff_t stride);

/**
 * Upscales a w x h image: calls `rd` for input rectangles and `wr` for each finished output
 * rectangle (they tile the w*f x h*f output exactly once). 0 or a negative error.
 */
int aim_nn_upscaler_run(AimNnUpscaler *u, int w, int h, AimNnReadFn rd, AimNnWriteFn wr,
                        void *opaque);
struct AimNnGpuImage;
/**
 * aim_nn_upscaler_run on a frame already on the upscaler's device (nn/gpu.h: e.g. RIFE's
 * output, aim_nn_rife_run_image): the tiles are cut on the device (the "window" shader), so the
 * frame is neither downloaded nor uploaded; the output is bit-identical to aim_nn_upscaler_run
 * reading the downloaded frame. AIM_ERR_UNSUPPORTED when the upscaler runs on the CPU (no
 * device, or after a fallback: the caller then downloads the frame and calls
 * aim_nn_upscaler_run); AIM_ERR(EINVAL) for an empty frame or one on another device; GPU
 * errors are returned (no fallback here).
 */
int aim_nn_upscaler_run_image(AimNnUpscaler *u, struct AimNnGpuImage *img, AimNnWriteFn wr,
                              void *opaque);
/**
 * CPU reference of the "window" shader (src/nn/vk/window.comp), and the host path's tile cut:
 * dst (3 x dst->h x dst->w, allocated) = the frame's pixels (left + x, top + y), indices
 * outside the w x h frame reflected (reflect-101) or clamped (clamp 1); src[c] + y * stride + x
 * is frame pixel (ox + x, oy + y): a rectangle holding every pixel the window reads.
 */
void aim_nn_window_c(AimNnMat *dst, int left, int top, int w, int h, int clamp,
                     const float *const src[3], ptrdiff_t stride, int ox, int oy);
/** Largest tensor memory held at once during the runs so far (bytes). */
size_t aim_nn_upscaler_peak_bytes(const AimNnUpscaler *u);
/** The input tile side in use (the settings', the model's default, or the GPU budget's). */
int aim_nn_upscaler_tile(const AimNnUpscaler *u);
/** "cpu" or "vulkan fp32" / "vulkan fp16": where the net runs now (after any fallback). */
const char *aim_nn_upscaler_backend(const AimNnUpscaler *u);
/** 1 when two tiles are in flight (a device, not serial, no fallback to the CPU yet). */
int aim_nn_upscaler_overlap(const AimNnUpscaler *u);

#endif
