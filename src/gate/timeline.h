// A picture of the gate's decisions over time (`ainimotion analyze --timeline`), for a person:
// a legend naming each curve and band, then one row per minute of input (one row for inputs up
// to a minute; longer spans per row beyond 30 rows), each with the cut score and its threshold,
// the hold measurements (MAD, largest block change) and their thresholds on a log scale, a band
// with one colour per class (cut, hold, motion, fade) and a time axis in HH:MM:SS. About
// AIM_TIMELINE_WIDTH pixels wide; text in the project's own 5x7 pixel font. Rendering is
// separate from PNG writing so it can be tested without files.
// Thread-safety: plain functions on caller-owned data.
#ifndef AIM_GATE_TIMELINE_H
#define AIM_GATE_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

#include "gate/gate.h"

/** Width of the picture in pixels: 1600, readable on a screen without zooming. */
#define AIM_TIMELINE_WIDTH 1600

typedef struct AimTimeline {
    uint8_t *rgb;   ///< w x h x 3, row-major
    int w, h;
    // layout (aim_timeline_band_point)
    int rows, plot_x, plot_w, row_h, band_y;
    int64_t n, frames_per_row;
} AimTimeline;

/** Colour of a class in the decision band (R, G, B). */
void aim_timeline_class_color(AimGateClass c, uint8_t rgb[3]);

/**
 * Renders records 0 .. n-1 (frame order) of a source at nominal `fps` frames per second (a row
 * holds a minute of frames at that rate); the time axis follows the frames' own times
 * (aim_gate_record_seconds), so a variable-rate input's timecodes are its pictures'. Columns that
 * hold several frames show their highest scores and the most important class (cut, fade,
 * motion, hold). Thresholds come from `s`. 0, AIM_ERR(EINVAL) (n < 1, fps <= 0) or
 * AIM_ERR(ENOMEM).
 */
int aim_timeline_render(AimTimeline *t, const AimGateRecord *recs, int64_t n,
                        const AimGateSettings *s, double fps);
/** A pixel of the class band where frame i is drawn (x, y); AIM_ERR(EINVAL) if i is outside. */
int aim_timeline_band_point(const AimTimeline *t, int64_t i, int *x, int *y);
void aim_timeline_free(AimTimeline *t);

/**
 * Writes the picture as PNG to f. 0, AIM_ERR_UNSUPPORTED (built without libpng), or the
 * AIM_ERR(errno) of a failed write (ENOSPC, EFBIG; AIM_ERR(EIO) when unknown).
 */
int aim_timeline_write_png(const AimTimeline *t, FILE *f);

#endif
