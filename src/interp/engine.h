// The engine vtable behind AimInterp (interp.h). A new engine (a neural one such as RIFE takes
// two frames and t, exactly this shape) implements these five entries and is listed in
// interp.c. The dispatcher validates arguments, owns the frame references and the mask copy,
// and copies the static blocks of the mask after render, so engines need not do either.
#ifndef AIM_INTERP_ENGINE_H
#define AIM_INTERP_ENGINE_H

#include "interp.h"

typedef struct AimInterpEngine {
    const char *name;
    /** Allocates all per-size state into *priv. 0 or negative error (*priv untouched). */
    int (*create)(void **priv, const AimInterpSettings *s);
    /**
     * New pair. f0/f1 stay valid (the dispatcher holds references) until the next set_pair or
     * destroy; mask (may be NULL) likewise. Sizes and depth were checked against the settings.
     */
    int (*set_pair)(void *priv, const AimFrame *f0, const AimFrame *f1, const AimMotionMask *mask);
    /** Writes all three planes of `out` (size/depth checked) for 0 < t < 1. */
    int (*render)(void *priv, double t, AimFrame *out);
    /** Frees *priv and sets it to NULL; accepts NULL and &NULL. */
    void (*destroy)(void **priv);
    /** Optional (may be NULL): fills st->nstages and st->stage[]. */
    void (*get_stats)(void *priv, AimInterpStats *st);
    /**
     * Optional (may be NULL), with `device` (aim_interp_render_device, interp.h): the Vulkan
     * device render_device leaves frames on, or NULL when it would not (e.g. a CPU backend).
     */
    struct AimVkDevice *(*device)(void *priv);
    /**
     * render, with the frame left on `device` in `dev`: returns 1 when `dev` holds the whole
     * frame, the mask's static blocks included (the engine merges them; `out` is not written),
     * 0 when it rendered into `out` as render does (a pair it does not run on, a fallback), or
     * a negative error.
     */
    int (*render_device)(void *priv, double t, AimFrame *out, struct AimNnGpuYuv *dev);
} AimInterpEngine;

extern const AimInterpEngine aim_interp_engine_dup;
extern const AimInterpEngine aim_interp_engine_blend;
extern const AimInterpEngine aim_interp_engine_classic;
extern const AimInterpEngine aim_interp_engine_rife;

/**
 * The rife engine's region of interest for a w x h frame and a gate mask (NULL: whole frame):
 * the moving blocks' bounding box plus a context margin, rounded up to the network's `stride`.
 * Sets *rx, *ry, *rw, *rh (the whole frame unless 1 is returned). Returns 1 for a region, 0
 * for the whole frame (no mask, or the box covers too much of it), -1 when no block moves.
 * Exposed for bench/rife_roi.c, which measures what this choice costs and saves.
 */
int aim_rife_region(const AimMotionMask *m, int w, int h, int stride, int *rx, int *ry, int *rw,
                    int *rh);

/** Splits rows [0, h) into njobs bands: job j gets [*y0, *y1). */
static inline void aim_interp_band(int h, int job, int njobs, int *y0, int *y1)
{
    *y0 = (int)((int64_t)h * job / njobs);
    *y1 = (int)((int64_t)h * (job + 1) / njobs);
}

#endif
