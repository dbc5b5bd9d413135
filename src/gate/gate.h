// The gate: classifies every interval between two consecutive source frames as cut, hold,
// motion or fade, from downscaled luma, with a small lookahead (a single flash frame or a fade
// must not count as a cut). Thread-safety: one AimGate is used by one thread at a time.
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
    AIM_CLASS_FADE,       ///< fade / dissolve: blend, never flow
} AimGateClass;

/** "start", "cut", "hold", "motion", "fade". */
const char *aim_gate_class_name(AimGateClass c);

typedef struct AimGateSettings {
    double hold_threshold; ///< mean |dY| on 0..1 luma below which an interval is a hold (0.003)
    double cut_threshold;  ///< 0..1 change score above which an interval may be a cut (0.35)
    AimLog log;
    unsigned cpu_flags;
} AimGateSettings;

/** One decision: the interval from source frame `frame - 1` to `frame`. */
typedef struct AimGateRecord {
    int64_t frame;
    AimGateClass cls;
    double mad;        ///< mean |dY|, 0..1 luma, on the downscaled luma
    double cut_score;  ///< 0..1 change score used against cut_threshold
    double blockmax;   ///< largest per-block mean |dY|, 0..1
    double hist;       ///< luma histogram L1 distance / 2, 0..1
    AimMotionMask mask;///< changed blocks (data NULL for start/cut/hold: nothing to keep exact)
} AimGateRecord;

typedef struct AimGate AimGate;

void aim_gate_default_settings(AimGateSettings *s);
/** Validates settings. 0, AIM_ERR(EINVAL) (bad threshold) or AIM_ERR(ENOMEM). */
int aim_gate_create(AimGate **out, const AimGateSettings *s);
void aim_gate_destroy(AimGate **g);
/**
 * Feeds the next source frame (all frames must share size and depth); the gate keeps no
 * reference to f. f == NULL signals end of stream. Returns 0, or AIM_ERR(EAGAIN) when records
 * must be received first (nothing was consumed), or AIM_ERR(EINVAL).
 */
int aim_gate_send(AimGate *g, const AimFrame *f);
/**
 * Next record, in frame order. AIM_ERR(EAGAIN): send more frames; AIM_ERR_EOF: all drained.
 * The caller owns rec->mask.data afterwards: release with aim_gate_record_clear().
 */
int aim_gate_receive(AimGate *g, AimGateRecord *rec);
void aim_gate_record_clear(AimGateRecord *rec);

#endif
