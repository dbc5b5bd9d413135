// RIFE v4.6 (the "rife-v4.6" model of the registry, flownet.param/.bin as rife-ncnn-vulkan
// ships them): two RGB frames and a time t in (0, 1) in, the RGB frame at t out, in one run
// of the network (v4 takes t as an input, so any t works without recursion).
//
// Frames are padded to the network's stride (32 / scale pixels) on the right and bottom with
// zeros, as rife-ncnn-vulkan does, and the output is the top-left w x h of the padded result.
//
// Scale: the network estimates flow coarse to fine at 1/8, 1/4, 1/2 and 1/1 of the frame
// (RIFE's scale_list 8, 4, 2, 1). `scale` < 1 runs all four levels at `scale` times those
// sizes (RIFE's --scale / rife-ncnn-vulkan's UHD idea: larger motion fits the coarse levels,
// and the cost drops by scale^2); the pixels are still warped at full resolution. The shipped
// graph has scale 1 baked into its Interp factors; other scales rewrite the graph at load
// (factors times scale, and a resize in and out of the finest level, which scale 1 omits).
//
// Backend: the CPU ops, or a Vulkan device (settings.device): the same graph and memory plan,
// inputs uploaded and the output downloaded per run.
//
// Thread-safety: one run at a time per AimNnRife; the ops use the pool in AimNnOpt.
#ifndef AIM_NN_RIFE_H
#define AIM_NN_RIFE_H

#include <stddef.h>

#include "nn/net.h"

#define AIM_NN_RIFE_MODEL "rife-v4.6"

typedef struct AimNnRifeSettings {
    const char *models_dir; ///< NULL: the default folder (models.h)
    int width, height;      ///< frame size, 1 .. 16384
    float scale;            ///< 1, 0.5 or 0.25; 0 = automatic (aim_nn_rife_auto_scale)
    AimNnOpt opt;           ///< ref / cpu_flags / pool / max_bytes for the ops (opt.gpu: set
                            ///< by the runner from `device`, leave NULL)
    /** NULL: the CPU. Else the network (its warps included) runs on this Vulkan device (not
     *  owned; must outlive the runner). */
    struct AimVkDevice *device;
    /** With a device: 1 = a GPU failure the CPU can take over from (aim_nn_gpu_recoverable)
     *  logs a warning and the CPU runs from then on (--device auto); 0 = the error is returned. */
    int device_fallback;
    AimLog log;
} AimNnRifeSettings;

typedef struct AimNnRife AimNnRife;

/** scale 0 (automatic), everything else 0/NULL. */
void aim_nn_rife_default_settings(AimNnRifeSettings *s);

/**
 * The scale picked for a frame size: 1 up to 1920x1088 pixels, 0.5 up to 4096x2304, 0.25
 * above (see rife.c for the measurements behind it).
 */
float aim_nn_rife_auto_scale(int width, int height);

/**
 * Loads the model (files from the registry's "rife-v4.6" entry under models_dir) and
 * allocates the padded inputs. 0, AIM_ERR(EINVAL) (bad settings), AIM_ERR_MODEL_MISSING (the
 * log says `ainimotion models install rife-v4.6`), AIM_ERR_INVALID_DATA / AIM_ERR_UNSUPPORTED
 * (a model file that is not the expected one), AIM_ERR(ENOMEM). *out untouched on error.
 */
int aim_nn_rife_create(AimNnRife **out, const AimNnRifeSettings *s);
/** Frees everything; sets *r = NULL; accepts &NULL. */
void aim_nn_rife_destroy(AimNnRife **r);

/** The scale in use (after the automatic choice), the stride and the current padded size. */
float aim_nn_rife_scale(const AimNnRife *r);
int aim_nn_rife_stride(const AimNnRife *r);
void aim_nn_rife_padded_size(const AimNnRife *r, int *w, int *h);

/**
 * Sets the frame size of the next runs, at most the created size (a region of the frames:
 * the created size is the default). The inputs' padding is zeroed for the new size; the caller
 * then writes both inputs again (aim_nn_rife_input's stride follows the size). 0 or
 * AIM_ERR(EINVAL).
 */
int aim_nn_rife_set_size(AimNnRife *r, int w, int h);

/**
 * The input planes of frame k (0 = the frame at t = 0, 1 = the one at t = 1): R, G, B in
 * [0, 1], `*stride` floats per row. The caller writes the top-left w x h of the current size;
 * the rest is the zero padding and must stay untouched. Valid until destroy or set_size.
 */
void aim_nn_rife_input(AimNnRife *r, int k, float *rgb[3], ptrdiff_t *stride);

/**
 * Runs the network for time t (0 < t < 1) on the current inputs. On success rgb[] point to the
 * output planes (not clamped; `*stride` floats per row; the top-left width x height is the
 * frame), valid until the next run or destroy. 0 or a negative error (logged).
 */
int aim_nn_rife_run(AimNnRife *r, float t, const float *rgb[3], ptrdiff_t *stride);

struct AimNnGpuImage;
/**
 * aim_nn_rife_run with the output left on the device, in `img` (nn/gpu.h; its frame is the
 * current width x height), for a net on the same device (aim_nn_upscaler_run_image): no
 * download. The values are exactly those aim_nn_rife_run hands out. AIM_ERR_UNSUPPORTED when
 * the network runs on the CPU (no device, or after a fallback); AIM_ERR(EINVAL) for an image of
 * another device or a bad t; GPU errors are returned (no fallback here: the caller may run
 * aim_nn_rife_run instead, the inputs are untouched).
 */
int aim_nn_rife_run_image(AimNnRife *r, float t, struct AimNnGpuImage *img);

/**
 * The graph rewrite behind `scale` (exposed for tests): `text` is rife-v4.6's flownet.param;
 * on success *out (malloc'ed, *out_len bytes, not NUL-terminated) is the graph for `scale`.
 * Any scale > 0 is accepted here, 1 included (the finest level then gets identity resizes).
 * AIM_ERR_UNSUPPORTED (logged) when the text lacks rife-v4.6's layers, AIM_ERR(ENOMEM).
 */
int aim_nn_rife_rewrite_param(const char *text, size_t len, float scale, char **out,
                              size_t *out_len, const AimLog *log);

/** "cpu" or "vulkan fp32" / "vulkan fp16": where the network runs now (after any fallback). */
const char *aim_nn_rife_backend(const AimNnRife *r);

/** Peak bytes of tensors alive at once in the runs so far. */
size_t aim_nn_rife_peak_bytes(const AimNnRife *r);

#endif
