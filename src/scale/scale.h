// Model B: upscaling (and optional restoration) engines behind one interface.
//
// aim_scaler_run does, in this order:
//   1. deblock + denoise at the SOURCE resolution (only when their strength > 0): compression
//      artifacts live on the source's 8x8 block grid and at the source's noise frequency, and
//      the work is (dst/src)^2 times cheaper there;
//   2. the engine's resampling (classic: separable fixed-point filters, all three planes);
//   3. sharpen at the DESTINATION resolution (only when > 0): it restores the crispness the
//      interpolation softened, and sharpening before scaling would hand the resampler bigger
//      steps to ring on.
// With every restore strength at 0 and antiring at 0 the output is exactly the plain resampler.
// Engines that denoise themselves (neural restoration models, scale/engine.h `denoises`) get
// no classic deblock/denoise before them (two denoisers are never stacked) and no sharpen
// after them (the model's output is the restoration).
//
// Thread-safety: the built scaler (filter plan, loaded model) is immutable; aim_scaler_run may
// be called by one thread at a time per AimScaler and slices its work over the pool.
#ifndef AIM_SCALE_SCALE_H
#define AIM_SCALE_SCALE_H

#include <stdatomic.h>

#include "ainimotion/frame.h"
#include "core/pool.h"

/** Restoration strengths in [0, 1], 0 = off (skipped entirely), 1 = the strongest setting. */
typedef struct AimRestore {
    float deblock; ///< 8x8 block-edge smoothing where the step across the edge is small
    float denoise; ///< 3x3 bilateral, luma (chroma at half the range sigma)
    float sharpen; ///< unsharp mask on luma, clamped to the local min/max (no halos)
} AimRestore;

typedef struct AimScalerSettings {
    const char *engine;    ///< "lanczos" (Lanczos-3, default), "bicubic" (Catmull-Rom),
                           ///< "bilinear"; neural engines register more names (engine.h)
    int src_w, src_h, dst_w, dst_h; ///< luma sizes, 1..16384 each, any ratio, odd allowed
    int depth;             ///< 8 or 10 (in and out)
    AimColor color;        ///< chroma siting (chroma_loc 0..6) and matrix for RGB models
    AimRestore restore;
    float antiring;        ///< [0, 1]: clamp each resampled sample towards the min/max of the
                           ///< nearest source samples (libplacebo's antiringing); classic
                           ///< engines only, 0 = off
    AimPool *pool;         ///< may be NULL (single-threaded)
    unsigned cpu_flags;    ///< AIM_CPU_* allowed (detected & --cpumask)
    const char *models_dir;///< for neural engines; NULL = default
    int noise;             ///< noise level of models that have levels (waifu2x-cunet, 0..3;
                           ///< like waifu2x-ncnn-vulkan's -n), default 0; the preset sets it
    const atomic_int *cancel; ///< neural engines poll it between layers: nonzero makes run
                              ///< return AIM_ERR_INTERRUPTED (may be NULL)
    struct AimVkDevice *device; ///< neural engines run on this Vulkan device (src/vk/vk.h;
                                ///< not owned); NULL: the CPU
    int device_fallback;      ///< 1: a GPU failure warns and the CPU takes over (--device auto)
    AimLog log;
} AimScalerSettings;

typedef struct AimScaler AimScaler;

/** Lanczos, no restoration, no anti-ringing, chroma_loc 0, depth 8, sizes 0 (must be set). */
void aim_scaler_default_settings(AimScalerSettings *s);
/** Name of engine i (0, 1, ...), NULL past the last: for help texts and listings. */
const char *aim_scaler_engine_name_at(int i);
/** 1 if `name` is an engine of the table (installed models are checked at create). */
int aim_scaler_engine_known(const char *name);

/**
 * Sets `restore` and `antiring` for a preset; other fields are untouched.
 *   "fast":         everything off (the plain resampler);
 *   "anime-clean":  mild:  deblock 0.25, denoise 0.15, sharpen 0.20, antiring 0.6;
 *   "anime-strong": more:  deblock 0.60, denoise 0.45, sharpen 0.40, antiring 1.0.
 * Returns 0 or AIM_ERR(EINVAL) for an unknown name (settings untouched).
 */
int aim_scaler_apply_preset(AimScalerSettings *s, const char *preset);

/**
 * Validates every field and builds the scaler (filter tables, all scratch memory: run never
 * allocates). 0, AIM_ERR(EINVAL) (reason in the log), AIM_ERR_MODEL_MISSING, AIM_ERR(ENOMEM).
 * On error *out is untouched. The scaler keeps `pool` and `log` (not owned).
 */
int aim_scaler_create(AimScaler **out, const AimScalerSettings *s);
/** Frees and sets *s = NULL; accepts NULL and &NULL. */
void aim_scaler_destroy(AimScaler **s);
/**
 * Scales `in` (src size and depth) into `out` (dst size, same depth, allocated by the caller;
 * only its visible samples are written) and copies pts, index and colour.
 * 0 or AIM_ERR(EINVAL) (sizes or depth do not match the settings). `in` is not modified.
 */
int aim_scaler_run(AimScaler *s, const AimFrame *in, AimFrame *out);
/**
 * The Vulkan device whose frames aim_scaler_run_device takes (a neural engine on the device,
 * and no classic restoration pass, which reads the host's samples), or NULL.
 */
struct AimVkDevice *aim_scaler_device(const AimScaler *s);
struct AimNnGpuYuv;
/**
 * aim_scaler_run on a frame whose samples are on aim_scaler_device's device (src/nn/gpu.h
 * AimNnGpuYuv, e.g. aim_interp_render_device's): `in` gives the size, depth and properties, its
 * pixels are not read. The output equals aim_scaler_run's on the same samples. Errors as
 * aim_scaler_run's; AIM_ERR(EINVAL) when aim_scaler_device is NULL.
 */
int aim_scaler_run_device(AimScaler *s, const AimFrame *in, struct AimNnGpuYuv *dev,
                          AimFrame *out);

#endif
