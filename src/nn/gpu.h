// A net's weights on a Vulkan device: the GPU backend's per-net, per-device state (the
// immutable AimNet stays backend-neutral). A run executes on the GPU when its options name one
// (AimNnOpt.gpu); the executor's plan is the same, its arena one device buffer.
//
// Precision: fp16 storage and arithmetic (the "_fp16" shader variants) when the device has
// them and its settings allow (aim_vk_device_fp16), else fp32. Convolutions accumulate in fp32
// either way.
//
// Thread-safety: immutable after create; runs using it may be on several threads only if each
// has its own AimNnRun (the device serialises submissions).
#ifndef AIM_NN_GPU_H
#define AIM_NN_GPU_H

#include <stddef.h>

#include "core/mask.h"
#include "nn/color.h"
#include "nn/net.h"
#include "vk/vk.h"

typedef struct AimNnGpu AimNnGpu;

/**
 * Uploads `net`'s weights to `dev` (both must outlive the result). Every layer type must have a
 * Vulkan op (src/nn/vk/ops.c): otherwise AIM_ERR_UNSUPPORTED, the type named in the log. Other
 * errors: vk.h's (ENOMEM for device memory, ENODEV for a lost device). On failure *out is
 * untouched.
 */
int aim_nn_gpu_create(AimNnGpu **out, const AimNet *net, AimVkDevice *dev, const AimLog *log);
void aim_nn_gpu_destroy(AimNnGpu **g);
/** 1: the fp16 variants run. */
int aim_nn_gpu_fp16(const AimNnGpu *g);
AimVkDevice *aim_nn_gpu_device(const AimNnGpu *g);
/**
 * 1 for the errors of a GPU run the CPU can take over from (--device auto's fallback): an op
 * without a Vulkan shader, out of (device) memory, a lost device, another driver error, a tensor
 * beyond one binding.
 */
int aim_nn_gpu_recoverable(int err);
/** 1 if every layer type of `net` has a Vulkan op (no log, no device needed). */
int aim_nn_gpu_supports(const AimNet *net, const char **missing);

/**
 * A frame that stays on the device between two nets (Model A's output, Model B's input): 3
 * planes of fp32 RGB in one device buffer, `w` x `h` pixels at the top-left of planes of
 * `stride` x rows floats. Written by a run's output (AimNnDevIo, net.h: the "download" shader
 * into it, so the values are exactly the ones a host download gets), read by a run's input
 * (the "window" shader: a window with the edge rule, as the upscaler's tiles are cut; its CPU
 * reference is aim_nn_window_c). fp32 whatever the runs' precision: an fp16 tensor converts
 * to fp32 and back exactly, so the frame is bit-identical to a download and upload.
 *
 * Ownership: the image owns its buffer; runs reading or writing it must have completed before
 * it is destroyed or written again (aim_nn_run_wait). Thread-safety: one thread at a time.
 */
typedef struct AimNnGpuImage AimNnGpuImage;

/** An empty image on `dev` (the buffer grows on first write). 0 or AIM_ERR(ENOMEM). */
int aim_nn_gpu_image_create(AimNnGpuImage **out, AimVkDevice *dev);
void aim_nn_gpu_image_destroy(AimNnGpuImage **img);
AimVkDevice *aim_nn_gpu_image_device(const AimNnGpuImage *img);
/** The frame size (0 x 0 before the first write). */
void aim_nn_gpu_image_size(const AimNnGpuImage *img, int *w, int *h);
/**
 * Host <-> device copies of the w x h frame (rgb[c] + y * stride + x), each one submit and
 * wait: what keeping the frame on the device saves (bench/vk_frame_bench.c), and the tests'
 * way in and out. upload sets the size (1..16384 each side). Errors: vk.h's, AIM_ERR(EINVAL).
 */
int aim_nn_gpu_image_upload(AimNnGpuImage *img, int w, int h, const float *const rgb[3],
                            ptrdiff_t stride);
int aim_nn_gpu_image_download(AimNnGpuImage *img, float *const rgb[3], ptrdiff_t stride);

/**
 * A YUV 4:2:0 frame on the device (an AimFrame's samples, 16 bits each, two to a uint32, the
 * three planes one after another: gpu.c's yuv_words gives the layout): how the pipeline hands
 * Model A's in-between frames to Model B without a download and an upload
 * (src/pipeline/pipeline.c). The host path computes RGB -> YUV
 * (aim_nn_rgb_to_yuv), the static blocks' copy from f0 (the interp dispatcher), then YUV -> RGB
 * per tile (aim_nn_yuv_to_rgb); merge and to_rgb do the same steps on the device (the
 * "yuv_merge" and "yuv_rgb" shaders) with the same float operations in the same order, so the
 * frames are bit-identical to the host's (tests/unit/nn/test_vk_yuv.c).
 *
 * Each call records, submits and waits (the frame is complete on return). Ownership: the
 * object owns its buffer. Thread-safety: one thread at a time per object (the pipeline's
 * interp thread writes it, then passes it through a queue to the scale thread).
 */
typedef struct AimNnGpuYuv AimNnGpuYuv;

/** An empty frame on `dev`. 0 or AIM_ERR(ENOMEM). */
int aim_nn_gpu_yuv_create(AimNnGpuYuv **out, AimVkDevice *dev);
/** Frees; sets *y = NULL; accepts &NULL. */
void aim_nn_gpu_yuv_destroy(AimNnGpuYuv **y);
AimVkDevice *aim_nn_gpu_yuv_device(const AimNnGpuYuv *y);
/** f's samples to the device (sets the size and depth). Errors: vk.h's. */
int aim_nn_gpu_yuv_upload(AimNnGpuYuv *y, const AimFrame *f);
/** The samples into f (same size and depth, else AIM_ERR(EINVAL)). Errors: vk.h's. */
int aim_nn_gpu_yuv_download(AimNnGpuYuv *y, AimFrame *f);
/**
 * dst = base (e.g. f0, uploaded) with the samples of the region the image covers (its frame at
 * rx, ry: even, inside base) whose mask block moves (mask NULL: all) quantised from the image's
 * RGB with `cc` (aim_nn_rgb_to_yuv's rounding and 2x2 chroma average). dst != base, all on one
 * device, else AIM_ERR(EINVAL). Errors: vk.h's.
 */
int aim_nn_gpu_yuv_merge(AimNnGpuYuv *dst, const AimNnGpuYuv *base, const AimNnGpuImage *rgb,
                         int rx, int ry, const AimMotionMask *mask, const AimNnColor *cc);
/** rgb = the frame in RGB with `cc` (aim_nn_yuv_to_rgb's), its size the frame's. Errors: vk.h's,
 *  AIM_ERR(EINVAL) (an empty frame, another device). */
int aim_nn_gpu_yuv_to_rgb(AimNnGpuYuv *y, const AimNnColor *cc, AimNnGpuImage *rgb);

#endif
