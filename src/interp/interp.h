// Model A: frame interpolation engines behind one interface. The pipeline hands an engine a
// pair of source frames (and the gate's motion mask) and asks for in-betweens at t in (0,1).
//
// Engines (src/interp/engine.h is the vtable a new engine implements):
//   "classic" (default): dense optical flow both ways (DIS-style, coarse to fine, on luma at a
//             reduced resolution), flow projected to t, occlusion-aware two-sided warp; where
//             the flow is not trustworthy the nearer source frame is shown (no ghost blends).
//   "blend":  (1-t)*f0 + t*f1.
//   "dup":    a copy of f0.
//   "rife":   RIFE v4.6 (src/interp/engine_rife.c) when `ainimotion models install rife-v4.6`
//             has installed it; otherwise create fails with AIM_ERR_MODEL_MISSING.
// In every engine, pixels of blocks the motion mask marks static are copied bit-exactly from
// f0 (the dispatcher does it after the engine has rendered, so no engine can miss it).
//
// Thread-safety: one AimInterp is used by one thread at a time; it may use the shared pool.
#ifndef AIM_INTERP_INTERP_H
#define AIM_INTERP_INTERP_H

#include <stdatomic.h>
#include <stdint.h>

#include "ainimotion/frame.h"
#include "core/mask.h"
#include "core/pool.h"

/** What the classic engine shows where it does not trust its flow. */
typedef enum AimInterpFallback {
    /** Anime rule (default): the nearer source frame, unwarped, one frame per region: never a
     *  blend of two drawings (no ghosts). */
    AIM_INTERP_FALLBACK_NEAREST = 0,
    /** (1-t)*f0 + t*f1 there: ghosts where the drawings differ, but the lowest mean error when
     *  the in-between cannot be predicted (bench/RESULTS-interp.md compares both). */
    AIM_INTERP_FALLBACK_BLEND = 1,
} AimInterpFallback;

/** "nearest" or "blend" (the CLI's --interp-fallback values), "?" for others. */
const char *aim_interp_fallback_name(AimInterpFallback f);
/** Parses a name of aim_interp_fallback_name: 0, or AIM_ERR(EINVAL). */
int aim_interp_fallback_parse(const char *s, AimInterpFallback *f);

typedef struct AimInterpSettings {
    const char *engine;    ///< "classic" (optical flow, default), "blend", "dup", "rife"
    int width, height;     ///< source frame size (all pairs share it)
    int depth;             ///< 8 or 10
    AimPool *pool;         ///< may be NULL (single-threaded)
    unsigned cpu_flags;    ///< AIM_CPU_* allowed (detected & user mask); 0 = C only
    const char *models_dir;///< for neural engines; NULL = default
    int flow_downscale;    ///< classic: flow resolution = frame / this (1, 2, 4, 8); 0 = auto
                           ///< rife: 1, 2, 4 = RIFE scale 1, 0.5, 0.25; 0 = auto
    AimInterpFallback fallback; ///< classic: where the flow is not trusted (default NEAREST)
    const atomic_int *cancel;   ///< neural engines poll it between layers: nonzero makes
                                ///< set_pair/render return AIM_ERR_INTERRUPTED (may be NULL)
    struct AimVkDevice *device; ///< rife: its network runs on this Vulkan device (src/vk/vk.h;
                                ///< not owned, outlives the engine); NULL: the CPU
    int device_fallback;        ///< 1: a GPU failure warns and the CPU takes over (--device auto)
    AimLog log;
} AimInterpSettings;

/** Time spent, for benchmarks and reports (seconds, wall clock, summed over calls). */
typedef struct AimInterpStats {
    int64_t pairs, frames;     ///< set_pair and render calls that succeeded
    double set_pair_s, render_s;
    int nstages;               ///< engine-specific breakdown (classic: pyramid, search ...)
    struct {
        const char *name;      ///< static string
        double seconds;
    } stage[8];
} AimInterpStats;

typedef struct AimInterp AimInterp;

/** engine "classic", depth 8, flow_downscale 0 (auto), fallback NEAREST, the rest 0/NULL. */
void aim_interp_default_settings(AimInterpSettings *s);
/** Name of engine i (0, 1, ...), NULL past the last: for help texts and listings. */
const char *aim_interp_engine_name_at(int i);
/** 1 if `name` is an engine of the table (installed models are checked at create). */
int aim_interp_engine_known(const char *name);
/**
 * Validates the settings and allocates every buffer the engine needs for this frame size
 * (no allocation happens per pair or per frame afterwards, except once when a mask with more
 * blocks than any before arrives). *out is set on success and untouched on error.
 * Returns 0, AIM_ERR(EINVAL) (unknown engine, bad size/depth/downscale/fallback),
 * AIM_ERR_MODEL_MISSING, AIM_ERR(ENOMEM).
 */
int aim_interp_create(AimInterp **out, const AimInterpSettings *s);
/** Releases everything, including the references of the current pair; sets *ip = NULL. */
void aim_interp_destroy(AimInterp **ip);
/**
 * Sets the pair to interpolate between (classic: computes both flows here, once per pair).
 * Takes new references to f0 and f1 (released at the next set_pair or destroy); the caller
 * keeps its own. `mask` (may be NULL = everything may move) is copied: blocks with mask 0 are
 * copied bit-exactly from f0 in every rendered frame. Returns 0, AIM_ERR(EINVAL) (size or
 * depth differs from the settings, mask does not cover the frame) or AIM_ERR(ENOMEM) (the
 * mask copy could not grow); on error the previous pair is dropped.
 */
int aim_interp_set_pair(AimInterp *ip, AimFrame *f0, AimFrame *f1, const AimMotionMask *mask);
/**
 * Renders the frame at time t (0 < t < 1) into `out` (allocated by the caller, same size and
 * depth). Copies f0's properties (pts, index, colour) into out; the caller sets its own pts.
 * Returns 0, AIM_ERR(EINVAL) (no pair, bad t, size mismatch).
 */
int aim_interp_render(AimInterp *ip, double t, AimFrame *out);
/**
 * The Vulkan device on which aim_interp_render_device can leave frames (src/nn/gpu.h
 * AimNnGpuYuv), or NULL (the engine has no device path, or runs on the CPU).
 */
struct AimVkDevice *aim_interp_device(const AimInterp *ip);
struct AimNnGpuYuv;
/**
 * aim_interp_render, but the engine may leave the frame on the device: returns 1 when `dev`
 * (on aim_interp_device's device; the caller's, written here) holds the frame, static blocks
 * included, and `out` has only its properties (pts, index, colour: the pixels are stale); 0
 * when the frame is in `out` as aim_interp_render writes it (pairs the engine does not run on,
 * e.g. a still pair, and its fallbacks). Errors as aim_interp_render's; AIM_ERR(EINVAL) for an
 * engine without a device path.
 */
int aim_interp_render_device(AimInterp *ip, double t, AimFrame *out, struct AimNnGpuYuv *dev);
/** Name of the engine in use ("classic", "blend", "dup"). */
const char *aim_interp_engine_name(const AimInterp *ip);
/** Copies the accumulated timing statistics. */
void aim_interp_get_stats(const AimInterp *ip, AimInterpStats *st);

#endif
