// Restoration filters of Model B (deblock, denoise, sharpen): parameters derived from the
// AimRestore strengths, and the deblocking edge filters (the row kernels of denoise and
// sharpen are in scale_dsp.h).
#ifndef AIM_SCALE_RESTORE_H
#define AIM_SCALE_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "scale/scale.h"

typedef struct AimRestoreParams {
    int depth;
    // Deblocking thresholds, in `depth` units (0 = off).
    int db_alpha, db_beta, db_tc0;
    // Bilateral range weights indexed by |difference|, luma and chroma; NULL = off.
    uint16_t *lut_luma, *lut_chroma;
    // Unsharp-mask amount, q = round(amount * 256); 0 = off.
    int sharpen_q;
} AimRestoreParams;

/** Fills p from the strengths (validated to [0, 1]). 0 or AIM_ERR(ENOMEM). */
int aim_restore_params_init(AimRestoreParams *p, const AimRestore *r, int depth);
void aim_restore_params_free(AimRestoreParams *p);

/** Filters the vertical block edges (x = 8, 16, ...) of one row of w samples, in place. */
void aim_deblock_row(uint16_t *row, int w, const AimRestoreParams *p);
/**
 * Filters the horizontal block edge between rows y-1 and y (y a multiple of 8) of a plane, in
 * place: reads rows y-3 .. y+2 and writes rows y-2 .. y+1 (caller ensures they exist).
 */
void aim_deblock_hedge(uint16_t *plane, ptrdiff_t stride, int y, int w, const AimRestoreParams *p);

#endif
