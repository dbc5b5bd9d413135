// Gate records as CSV / JSON, and a summary with the animation cadence (on 1s / 2s / 3s), in
// one place for `ainimotion analyze` and `enhance --report`. Everything writes to a FILE* the
// caller opened; nothing here prints by itself.
// Thread-safety: plain functions on caller-owned data.
#ifndef AIM_GATE_REPORT_H
#define AIM_GATE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "gate/gate.h"

/**
 * Writes `why` bits as names joined by '+' ("isolated+insert"), "" for 0; names that do not fit
 * in size bytes are left out whole. Returns buf.
 */
const char *aim_gate_why_string(unsigned why, char *buf, size_t size);

/**
 * CSV: one row per source frame i (the interval i-1 -> i), header
 * `frame,class,why,mad,ssim,hist,mc,cut_score,rel,palette,blockmax,sad,moving,luma,fade_fit,camera,on,time`.
 * Metrics as in AimGateRecord; `mc` is empty where it was not measured (holds); `on` is the
 * number of source frames the drawing shown at frame i lasts (see aim_gate_summarize; 0 when
 * unknown); `time` is frame i's time from the first frame as HH:MM:SS.mmm (aim_format_time of
 * aim_gate_record_seconds: the picture's own time, variable-rate input included). Values in
 * 0..1 luma units where AimGateRecord says so.
 */
void aim_gate_csv_header(FILE *f);
void aim_gate_csv_row(FILE *f, const AimGateRecord *r, int on);

/**
 * One record as a JSON object (no trailing comma or newline), the same keys as the CSV's
 * columns; `time` in seconds. Used by `analyze --json` and `enhance --report` alike.
 */
void aim_gate_json_record(FILE *f, const AimGateRecord *r, int on);

/** A run of consecutive drawings of one shot that each last `on` frames. */
typedef struct AimGateRun {
    int64_t first, last; ///< source frames, inclusive
    int on;              ///< 1, 2 or 3
} AimGateRun;

typedef struct AimGateSummary {
    int64_t frames;
    int64_t count[5];     ///< records per class (AimGateClass)
    int64_t on_frames[5]; ///< frames in drawings lasting 1, 2, 3, >= 4 frames (index 1..4)
    int dominant;         ///< 1, 2 or 3: the cadence with most frames (0 if none)
    AimGateRun *runs;     ///< cadence runs of >= AIM_GATE_RUN_MIN drawings, in order
    int nruns;
    int64_t *cuts;        ///< frames classed cut, in order
    int64_t ncuts;
} AimGateSummary;

/** Drawings in a row, all lasting the same 1, 2 or 3 frames, that make a reported run. */
#define AIM_GATE_RUN_MIN 4

/**
 * Summary of a whole sequence of classes (cls[i] = class of frame i). A drawing starts at
 * frame 0, at every cut and at every frame whose interval is motion or fade, and lasts until
 * the next one (holds extend it). `on` (may be NULL) receives per frame the length of its
 * drawing, capped at 255. Reading the cadence never changes a decision. Returns 0 or
 * AIM_ERR(ENOMEM); free with aim_gate_summary_free.
 */
int aim_gate_summarize(AimGateSummary *s, const AimGateClass *cls, int64_t n, uint8_t *on);
void aim_gate_summary_free(AimGateSummary *s);

/**
 * The summary as a JSON object: counts, cadence frames, dominant cadence, runs, and the cuts
 * ({"frame", "time" in seconds, "timecode" HH:MM:SS.mmm}), each at its frame's time:
 * aim_gate_record_seconds of recs[frame] (`recs`: the records summarised, in frame order).
 */
void aim_gate_summary_json(FILE *f, const AimGateSummary *s, const AimGateRecord *recs);
/** A few human-readable lines (counts, cadence, the longest runs, the cuts with timecodes). */
void aim_gate_summary_text(FILE *f, const AimGateSummary *s, const AimGateRecord *recs);

#endif
