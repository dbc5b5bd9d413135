// A picture of the gate's decisions over time (`ainimotion analyze --timeline`): the cut score
// with its threshold, the hold measurements (MAD, largest block change) with theirs on a log
// scale, and a strip with one colour per class. Rendering is separate from PNG writing so it
// can be tested without files.
// Thread-safety: plain functions on caller-owned data.
#ifndef AIM_GATE_TIMELINE_H
#define AIM_GATE_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "gate/gate.h"

typedef struct AimTimeline {
    uint8_t *rgb;   ///< w x h x 3, row-major
    int w, h;
} AimTimeline;

/** Colour of a class in the decision strip (R, G, B). */
void aim_timeline_class_color(AimGateClass c, uint8_t rgb[3]);

/** Height of the decision strip at the bottom of the picture, in pixels. */
#define AIM_TIMELINE_STRIP 24

/**
 * Renders records 0 .. n-1 (frame order). One column per frame up to 4000 columns; longer
 * inputs are binned (the strip shows the most important class of a bin: cut, fade, motion,
 * hold). Thresholds come from `s`. 0, AIM_ERR(EINVAL) (n < 1) or AIM_ERR(ENOMEM).
 */
int aim_timeline_render(AimTimeline *t, const AimGateRecord *recs, int64_t n,
                        const AimGateSettings *s);
void aim_timeline_free(AimTimeline *t);

/** Writes the picture as PNG to f. 0, AIM_ERR_UNSUPPORTED (built without libpng), AIM_ERR(EIO). */
int aim_timeline_write_png(const AimTimeline *t, FILE *f);

#endif
