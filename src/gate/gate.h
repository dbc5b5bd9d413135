// The gate: classifies every interval between two consecutive source frames as cut, hold,
// motion or fade, from downscaled luma, with a small lookahead (a single flash frame or a fade
// must not count as a cut), and gives Model A a block mask of what moved.
//
// How it decides (details and the measurements behind each number are in gate.c):
// - hold: no block of the picture visibly changed (largest mean |dY| over the ~16x16 blocks of
//   the full-resolution luma below block_threshold), the whole downscaled picture did not
//   drift either (hold score below hold_threshold), and no camera move of a pixel or more
//   creeps under the held drawing (a slow pan or zoom is motion): duplicate.
// - cut: the change cannot be explained by motion (cut score at or above cut_threshold), stands
//   out from the local history (ratio to the median score of the non-hold intervals around it),
//   is not one end of a flash (the picture comes back within AIM_GATE_INSERT frames) and is not
//   a blend of its neighbours (fade).
// - fade: the frame is a blend of the frames around it (fade, dissolve; a single dissolve frame
//   at a cut makes both intervals around it fades), or one end of a flash or impact insert:
//   blend, never flow.
// - motion: anything else; the mask marks the blocks that may move (dilated by one block), every
//   other block must stay bit-exact to the source.
//
// Thread-safety: one AimGate is used by one thread at a time.
#ifndef AIM_GATE_GATE_H
#define AIM_GATE_GATE_H

#include <stdint.h>

#include "ainimotion/frame.h"
#include "core/mask.h"

typedef enum AimGateClass {
    AIM_CLASS_START = 0,  ///< frame 0: no interval
    AIM_CLASS_CUT,        ///< change of shot: never interpolate, duplicate the earlier frame
    AIM_CLASS_HOLD,       ///< no visible change: duplicate
    AIM_CLASS_MOTION,     ///< interpolate (static blocks per mask stay bit-exact)
    AIM_CLASS_FADE,       ///< fade / dissolve / flash: blend, never flow
} AimGateClass;

/** "start", "cut", "hold", "motion", "fade". */
const char *aim_gate_class_name(AimGateClass c);

/** Which per-interval score the two thresholds are compared against. */
typedef enum AimGateMetric {
    /// Default. Holds: MAD (mean |dY| of the downscaled luma, 0..1). Cuts: the motion-compensated
    /// change score: half the block-matching residual relative to the picture's own detail,
    /// taken in the direction (earlier->later or later->earlier) that explains the change best,
    /// clipped to 0..1 (0 = fully explained by motion; 0.5 = the best match leaves as much
    /// error as the detail itself).
    AIM_GATE_METRIC_MC = 0,
    AIM_GATE_METRIC_MAD,  ///< both thresholds on MAD (0..1)
    AIM_GATE_METRIC_SSIM, ///< both thresholds on 1 - SSIM (0..1)
    AIM_GATE_METRIC_HIST, ///< both thresholds on the luma histogram distance (L1 / 2, 0..1)
} AimGateMetric;

/** "mc", "mad", "ssim", "hist". */
const char *aim_gate_metric_name(AimGateMetric m);
/** Parses a metric name; 0 or AIM_ERR(EINVAL). */
int aim_gate_metric_parse(const char *s, AimGateMetric *m);

/** Frames the gate may hold back: the record of interval i is final once frame i + 4 arrived. */
#define AIM_GATE_LOOKAHEAD 4
/** Longest flash / impact insert (frames) judged as a pair of boundaries. */
#define AIM_GATE_INSERT 3
/** Motion mask block size in luma pixels. */
#define AIM_GATE_BLOCK 16

typedef struct AimGateSettings {
    AimGateMetric metric;   ///< AIM_GATE_METRIC_MC
    double hold_threshold;  ///< hold score below which a frame may be a hold (0.003: MAD, 0..1)
    double cut_threshold;   ///< cut score from which a change may be a cut (0.35, 0..1)
    double block_threshold; ///< mean |dY| (0..1) from which a block visibly changed (8/255)
    AimLog log;
    unsigned cpu_flags;     ///< AIM_CPU_* kernels allowed
} AimGateSettings;

/** Why a record got its class (bits of AimGateRecord.why). */
enum {
    AIM_GATE_WHY_ISOLATED = 1 << 0, ///< cut: stands out >= 3x from the scores around it
    AIM_GATE_WHY_PALETTE  = 1 << 1, ///< cut in busy action: stands out >= 1.5x and the palette changed
    AIM_GATE_WHY_BUSY     = 1 << 2, ///< motion: cut-like score that does not stand out from busy action
    AIM_GATE_WHY_INSERT   = 1 << 3, ///< one end of a short insert that changes shot (the other end is the cut)
    AIM_GATE_WHY_FLASH    = 1 << 4, ///< one end of a flash / insert after which the picture comes back
    AIM_GATE_WHY_BLEND    = 1 << 5, ///< fade: the frame is a blend of its neighbours
    AIM_GATE_WHY_GLOBAL   = 1 << 6, ///< motion: no block changed visibly, yet the whole picture
                                    ///< drifted (hold score) or the camera moved >= 1 px
    AIM_GATE_WHY_DISSOLVE = 1 << 7, ///< fade: a dissolve frame at a cut ((A + B) / 2 between
                                    ///< shots A and B), both intervals around it
};

/** One decision: the interval from source frame `frame - 1` to `frame`. */
typedef struct AimGateRecord {
    int64_t frame;
    int64_t pts;       ///< f->pts of frame `frame` as sent: from the reader (io.h), microseconds
                       ///< from the first frame, the picture's own time in timed mode
    AimGateClass cls;
    unsigned why;      ///< AIM_GATE_WHY_* bits
    double mad;        ///< mean |dY| of the downscaled luma, 0..1
    double ssim;       ///< mean SSIM of the downscaled luma (8x8 windows), <= 1
    double hist;       ///< luma histogram distance (64 bins, L1 / 2), 0..1
    double mc;         ///< motion-compensated residual / detail (AIM_GATE_METRIC_MC); -1 on holds
                       ///< (not measured: block matching is skipped there)
    double cut_score;  ///< the selected metric's cut score, 0..1, compared against cut_threshold
    double rel;        ///< score / median score of the non-hold, non-fade intervals around it
                       ///< (-12..+4 frames; unclipped scores)
    double palette;    ///< share of colours that appeared and vanished (the smaller of the two), 0..1
    double blockmax;   ///< largest mean |dY| of a ~16x16 block at full resolution, 0..1
    double sad;        ///< mean |dY| at full resolution, 0..1
    double moving;     ///< share of mask blocks that may move, 0..1
    double luma;       ///< mean luma of frame `frame`, 0..1
    double fade_fit;   ///< share of the change explained by a blend of the neighbours, 0..1
    /// Where no block changed visibly: the camera move fitted to the whole picture, as the
    /// displacement at its corners in full-resolution pixels (>= 1 px makes it motion); else 0.
    double camera;
    /// Blocks that may move (motion and fade; data NULL for start/cut/hold: nothing moves).
    AimMotionMask mask;
} AimGateRecord;

/** The time of a record's frame in seconds, from a pts in the reader's microseconds. */
static inline double aim_gate_record_seconds(const AimGateRecord *r) { return r->pts / 1e6; }

typedef struct AimGate AimGate;

void aim_gate_default_settings(AimGateSettings *s);
/**
 * The ranges the gate accepts: metric known, 0 <= hold_threshold < 1, 0 < cut_threshold <= 1,
 * 0 < block_threshold < 1. 0 or AIM_ERR(EINVAL); logs nothing (option parsers call it to
 * refuse a value at once).
 */
int aim_gate_settings_check(const AimGateSettings *s);
/** Validates settings. 0, AIM_ERR(EINVAL) (bad threshold or metric) or AIM_ERR(ENOMEM). */
int aim_gate_create(AimGate **out, const AimGateSettings *s);
/** Frees the gate; accepts NULL and &NULL and sets *g = NULL. */
void aim_gate_destroy(AimGate **g);
/**
 * Feeds the next source frame (all frames share size and depth; at least 16x16). The gate
 * takes a new reference to f and keeps it until the next send (frames are read-only once
 * shared, frame.h). f == NULL signals end of stream. Returns 0, AIM_ERR(EAGAIN) when a
 * record must be received first (nothing was consumed), AIM_ERR(EINVAL) (size or depth change,
 * frame after end of stream) or AIM_ERR(ENOMEM).
 */
int aim_gate_send(AimGate *g, AimFrame *f);
/**
 * Next record, in frame order. AIM_ERR(EAGAIN): send more frames; AIM_ERR_EOF: all drained.
 * At most one record is ready per frame sent (plus the rest after end of stream).
 * The caller owns rec->mask.data afterwards: release with aim_gate_record_clear().
 */
int aim_gate_receive(AimGate *g, AimGateRecord *rec);
/** Frees rec->mask.data and sets it to NULL. */
void aim_gate_record_clear(AimGateRecord *rec);

#endif
