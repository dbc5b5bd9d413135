// Model A: frame interpolation engines behind one interface. The pipeline hands an engine a
// pair of source frames (and the gate's motion mask) and asks for in-betweens at t in (0,1).
// Thread-safety: one AimInterp is used by one thread at a time; it may use the shared pool.
#ifndef AIM_INTERP_INTERP_H
#define AIM_INTERP_INTERP_H

#include "ainimotion/frame.h"
#include "core/mask.h"
#include "core/pool.h"

typedef struct AimInterpSettings {
    const char *engine;    ///< "classic" (optical flow, default), "blend", "dup"
    int width, height;     ///< source frame size (all pairs share it)
    int depth;             ///< 8 or 10
    AimPool *pool;         ///< may be NULL (single-threaded)
    unsigned cpu_flags;
    const char *models_dir;///< for neural engines; NULL = default
    AimLog log;
} AimInterpSettings;

typedef struct AimInterp AimInterp;

void aim_interp_default_settings(AimInterpSettings *s);
/** 0, AIM_ERR(EINVAL) (unknown engine, bad size), AIM_ERR_MODEL_MISSING, AIM_ERR(ENOMEM). */
int aim_interp_create(AimInterp **out, const AimInterpSettings *s);
void aim_interp_destroy(AimInterp **ip);
/**
 * Sets the pair to interpolate between. Takes new references to f0 and f1 (released at the
 * next set_pair or destroy). `mask` (may be NULL = everything may move) is copied: blocks with
 * mask 0 are copied bit-exactly from f0 in every rendered frame.
 */
int aim_interp_set_pair(AimInterp *ip, AimFrame *f0, AimFrame *f1, const AimMotionMask *mask);
/** Renders the frame at time t (0 < t < 1) into `out` (allocated by the caller, same size). */
int aim_interp_render(AimInterp *ip, double t, AimFrame *out);

#endif
