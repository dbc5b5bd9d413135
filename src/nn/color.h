// YUV 4:2:0 (AimFrame, 8/10 bit) <-> RGB float [0, 1] for the neural upscalers, with the
// matrix and range the source declares (H.273 code points in AimColor).
// Thread-safety: pure functions.
#ifndef AIM_NN_COLOR_H
#define AIM_NN_COLOR_H

#include <stddef.h>

#include "ainimotion/frame.h"

typedef struct AimNnColor {
    float kr, kb;          ///< luma coefficients of the matrix
    float y_off, y_scale;  ///< Y' = (Y - y_off) * y_scale
    float c_off, c_scale;  ///< C' = (C - c_off) * c_scale, in [-0.5, 0.5]
    float maxv;            ///< (1 << depth) - 1
    int cx_center;         ///< chroma sited between luma columns (else co-sited, left)
    int cy_mode;           ///< 0 centre, 1 top, 2 bottom (H.273 chroma_loc)
} AimNnColor;

/**
 * Matrix from c->matrix: 1 BT.709, 5/6 BT.601, 9/10 BT.2020, 4 FCC, 7 SMPTE 240M; 0/2
 * (unspecified) and others: BT.709 when height > 576, else BT.601 (what players assume).
 * Range: 2 full, anything else limited (the video default).
 */
void aim_nn_color_init(AimNnColor *cc, const AimColor *c, int depth, int height);

/** RGB of the luma rectangle (x0, y0, w, h) of f; chroma bilinear-upsampled by its siting. */
void aim_nn_yuv_to_rgb(const AimNnColor *cc, const AimFrame *f, int x0, int y0, int w, int h,
                       float *const rgb[3], ptrdiff_t stride);
/**
 * Writes the rectangle (x0, y0 even) of f from RGB: luma per pixel, chroma from the 2x2 RGB
 * average (a chroma sample centred in its block; co-sited sources get it a quarter chroma
 * sample to the right, below what the 4:2:0 chroma resolution can show). Rounded, clamped.
 */
void aim_nn_rgb_to_yuv(const AimNnColor *cc, AimFrame *f, int x0, int y0, int w, int h,
                       const float *const rgb[3], ptrdiff_t stride);

#endif
