// Dense optical flow for the classic interpolation engine, in the spirit of DIS (Kroeger et al.,
// "Fast Optical Flow using Dense Inverse Search", ECCV 2016): per pyramid level, coarse to fine,
// (1) inverse-compositional Gauss-Newton search of 8x8 patches on a grid (mean-normalised SSD,
// so a flash or fade does not drag the flow), initialised by the coarser level and by the
// left/top neighbour patch (spatial propagation, as OpenCV's DIS does), (2) densification: each
// pixel averages the patches covering it weighted by 1/max(1, photometric error), (3) a
// variational refinement (Brox et al. 2004 energy: intensity + gradient constancy, Zimmer-style
// normalisation, Charbonnier penalties, smoothness) solved with a few red-black SOR sweeps.
//
// All buffers are allocated at create for a fixed size. Thread-safety: an AimFlow is used by one
// thread at a time; pyramids are read-only while flows are computed, so two AimFlows (the two
// directions) run concurrently on the same two pyramids.
#ifndef AIM_INTERP_FLOW_H
#define AIM_INTERP_FLOW_H

#include <stddef.h>

#include "ainimotion/frame.h"
#include "interp_dsp.h"

#define AIM_FLOW_MAX_LEVELS 8
/** Padding around every pyramid image (>= patch + 1: a displaced patch is clamped inside). */
#define AIM_FLOW_BORDER 16

/** A float image with AIM_FLOW_BORDER replicated pixels around it. */
typedef struct AimPlaneF {
    float *base;      ///< allocation
    float *data;      ///< pixel (0,0)
    int w, h;
    ptrdiff_t stride; ///< in floats
} AimPlaneF;

/** Luma pyramid of one frame with central-difference gradients per level. */
typedef struct AimFlowPyr {
    int levels;
    AimPlaneF img[AIM_FLOW_MAX_LEVELS], gx[AIM_FLOW_MAX_LEVELS], gy[AIM_FLOW_MAX_LEVELS];
} AimFlowPyr;

/** Level 0 is w x h; level l+1 halves (floor) level l. 0 or AIM_ERR(ENOMEM)/AIM_ERR(EINVAL). */
int aim_flow_pyr_alloc(AimFlowPyr *p, int w, int h, int levels);
void aim_flow_pyr_free(AimFlowPyr *p);
/** Level 0 = luma of f box-averaged by d (values in 8-bit units whatever the depth). */
void aim_flow_pyr_build(AimFlowPyr *p, const AimFrame *f, int d, const AimInterpDsp *dsp);

typedef struct AimFlowSettings {
    int w, h;           ///< level-0 size
    int levels;         ///< pyramid levels used (coarsest = levels - 1)
    int finest;         ///< finest level computed; coarser results are upsampled to level 0
    int patch_stride;   ///< grid step of the 8x8 patches (DIS: 4 = 50% overlap)
    int iters;          ///< Gauss-Newton iterations per patch
    /// On level 0, a patch whose first candidate (level 1's flow, upsampled) already matches
    /// with a mean-normalised SSD below this (8-bit units squared, summed over the 64 pixels)
    /// keeps it: no other candidates, no iterations (< 0: off). Only on level 0: coarser levels
    /// are blurred, a wrong start (zero at the top) can match below it there, and the search
    /// would never leave it.
    float accept_ssd;
    int var_iters;      ///< SOR sweeps of the variational refinement per level (0 = off)
    float alpha, gamma, delta; ///< smoothness, gradient- and intensity-constancy weights
    const AimInterpDsp *dsp;
} AimFlowSettings;

/** Level count for a level-0 size: as OpenCV's DIS, coarsest ~ 4 patches across. */
int aim_flow_auto_levels(int w, int h);
void aim_flow_default_settings(AimFlowSettings *s, int w, int h, const AimInterpDsp *dsp);

typedef struct AimFlow AimFlow;
int aim_flow_create(AimFlow **out, const AimFlowSettings *s);
void aim_flow_destroy(AimFlow **f);
/**
 * Flow from template a to target b at level 0: a(x) ~ b(x + (u, v)(x)), in level-0 pixels.
 * Results stay valid until the next compute; u/v are w x h with stride w.
 */
void aim_flow_compute(AimFlow *f, const AimFlowPyr *a, const AimFlowPyr *b);
const float *aim_flow_u(const AimFlow *f);
const float *aim_flow_v(const AimFlow *f);
/** Seconds spent (summed): [0] patch search, [1] densification, [2] variational refinement. */
void aim_flow_times(const AimFlow *f, double t[3]);

/** floor() as an int without a libm call (the core is built for baseline x86-64, where floorf
 *  is a function call). */
static inline int aim_ifloor(float x)
{
    int i = (int)x;
    return i - (x < (float)i);
}

/** Bilinear sample of a w x h float image (stride s) at (x, y), clamped to the image. */
static inline float aim_bilin_f(const float *img, ptrdiff_t s, int w, int h, float x, float y)
{
    x = x < 0.0f ? 0.0f : x > (float)(w - 1) ? (float)(w - 1) : x;
    y = y < 0.0f ? 0.0f : y > (float)(h - 1) ? (float)(h - 1) : y;
    int ix = (int)x, iy = (int)y;
    ix = ix > w - 2 ? w - 2 : ix;
    iy = iy > h - 2 ? h - 2 : iy;
    float fx = x - (float)ix, fy = y - (float)iy;
    const float *p = img + iy * s + ix;
    float top = p[0] + fx * (p[1] - p[0]);
    float bot = p[s] + fx * (p[s + 1] - p[s]);
    return top + fy * (bot - top);
}

#endif
