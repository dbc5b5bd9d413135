// Restoration filters of Model B (deblock, denoise, sharpen): their parameters, derived from
// the AimRestore strengths (the kernels are in scale_dsp.h).
#ifndef AIM_SCALE_RESTORE_H
#define AIM_SCALE_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "scale/scale.h"
#include "scale/scale_dsp.h"

typedef struct AimRestoreParams {
    int depth;
    // Deblocking thresholds, in `depth` units; do_deblock = 0: off.
    int do_deblock;
    AimDeblockParams db;
    // Bilateral range weights, 16 bins of 2^shift levels (decl_denoise_fn), luma and chroma.
    int do_denoise;
    uint8_t lut_luma[16], lut_chroma[16];
    int shift_luma, shift_chroma;
    // Unsharp-mask amount, q = round(amount * 256); 0 = off.
    int sharpen_q;
} AimRestoreParams;

/** Fills p from the strengths (validated to [0, 1]). */
void aim_restore_params_init(AimRestoreParams *p, const AimRestore *r, int depth);

#endif
