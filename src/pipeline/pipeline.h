// The stage graph: source -> gate -> interpolate -> upscale -> sink, one thread per stage joined
// by bounded queues, heavy work inside a stage sliced over the shared pool. Container I/O is not
// here: the source and sink are callbacks (the CLI connects src/io; tests use memory).
//
// Output grid for a rate ratio R = rate.num / rate.den (output rate over source rate, 1..8):
// output frame k sits at k / R source frames from the first source frame. Source interval
// i -> i+1 (the job of source frame i) holds the output frames aim_pipeline_first_out(R, i) ..
// aim_pipeline_first_out(R, i + 1) - 1, each at t = aim_pipeline_out_t(R, i, k) in [0, 1):
// t == 0 is frame i itself; otherwise the gate's class for the interval decides: motion is
// interpolated at t, fade blended at t, hold and cut repeat frame i (a cut shows frame i up to
// the cut, frame i+1 from there, never a blend). The last source frame is held for one source
// interval, so N source frames give exactly aim_pipeline_first_out(R, N) output frames. For a
// whole multiple F (R = F/1) this is frame i, then t = 1/F .. (F-1)/F, N*F frames in all.
// Both functions depend only on the global source index, so a segment starting at source
// frame s computes its own output frames as first_out(s) .. first_out(end) - 1.
//
// Timed mode (settings.timed, for variable-rate input read with AimReaderSettings.timed): source
// frames carry their own times in f->pts (microseconds) and the grid is laid between them:
// frame i sits at slot x_i = pts * frame_rate (an exact slot number when within
// AIM_PIPELINE_ON_GRID slots of one), interval i -> i+1 holds the output frames k with
// x_i <= k / R < x_{i+1}, each at t = (k / R - x_i) / (x_{i+1} - x_i); the last frame lasts as
// long as the interval before it. Where both ends are consecutive exact slots this is the rule
// above, bit for bit, so constant-rate input renders the same in both modes.
//
// Thread-safety: aim_pipeline_run blocks its caller and calls the callbacks from its own
// threads: read from the source thread, write from the sink thread, on_record from the gate
// thread (in frame order), on_progress from the sink thread.
#ifndef AIM_PIPELINE_PIPELINE_H
#define AIM_PIPELINE_PIPELINE_H

#include <stdatomic.h>
#include <stdint.h>

#include "ainimotion/frame.h"
#include "core/pool.h"
#include "gate/gate.h"
#include "interp/interp.h"
#include "scale/scale.h"

typedef struct AimPipelineStats {
    int64_t src_frames;        ///< source frames read
    int64_t out_frames;        ///< frames handed to write()
    int64_t interpolated;      ///< output frames made by the interpolation engine
    int64_t blended;           ///< output frames blended (fades)
    int64_t duplicated;        ///< in-between slots filled by a duplicate (hold, cut, last frame)
    int64_t device_frames;     ///< of `interpolated`: handed to the upscaler on the Vulkan
                               ///< device (pipeline.c's device hand-off)
    int64_t class_count[5];    ///< records per AimGateClass
    double stage_seconds[4];   ///< busy time of source+gate, interp, scale, sink threads
} AimPipelineStats;

typedef struct AimPipelineSettings {
    AimRational rate;           ///< output rate / source rate, reduced, 1..8 (default 2/1)
    int timed;                  ///< 1: place frames by f->pts (timed mode above), 0: by index
    AimRational frame_rate;     ///< the source's nominal rate (timed mode only)
    int width, height, depth;   ///< source frame size and depth (every frame must match)
    int out_width, out_height;  ///< after Model B; equal to width/height = no scaling
    AimGateSettings gate;
    AimInterpSettings interp;   ///< engine, cpu flags, models dir; sizes are filled in here
    AimScalerSettings scale;    ///< engine, restore, colour; sizes are filled in here
    int queue_depth;            ///< frames between two stages, >= 1 (default 4)
    AimPool *pool;              ///< shared worker pool (may be NULL)
    AimLog log;

    /** Next source frame (caller's reference moves to the pipeline); AIM_ERR_EOF at the end. */
    int (*read)(void *opaque, AimFrame **out);
    /** Output frame number f->index; the pipeline keeps its own reference. */
    int (*write)(void *opaque, const AimFrame *f);
    /** Gate decision for each source interval, in order (may be NULL). */
    void (*on_record)(void *opaque, const AimGateRecord *rec);
    /** After each written frame (may be NULL). */
    void (*on_progress)(void *opaque, const AimPipelineStats *st);
    void *opaque;
    /** Polled; nonzero cancels the run with AIM_ERR_INTERRUPTED (may be NULL). */
    atomic_int *cancel;

    /**
     * Replay (a segment of a planned job, tools/ainimotion/job.c). With `records` set the gate
     * does not run: the decision for source interval i-1 -> i is records[i] (records[0] is the
     * start; nb_records = source frames of the whole input), so a segment decides exactly as the
     * one-piece run did. read() then yields source frames first_frame, first_frame + 1, ...
     * (their global numbers; f->index is set here). Only frames before emit_end emit output:
     * the output frames whose time lies in [first_frame, emit_end) on the global grid, numbered
     * globally (k = i * factor + j; in timed mode from the pictures' f->pts, which the caller
     * gives as in the one-piece run: the segment's first output frame is then
     * aim_pipeline_first_out_at(its pts)); a frame read at emit_end only serves as the later
     * picture of the last interval (in timed mode it also gives that interval's length, so
     * read it whenever emit_end < nb_records). read() must yield it when that interval is
     * motion or fade (AIM_ERR(EINVAL) otherwise). The records (masks included) stay owned by
     * the caller.
     * Without records: first_frame 0, emit_end ignored, the gate decides.
     */
    const AimGateRecord *records;
    int64_t nb_records;
    int64_t first_frame, emit_end;
} AimPipelineSettings;

/** First output frame of source frame i: ceil(i * rate.num / rate.den). */
static inline int64_t aim_pipeline_first_out(AimRational rate, int64_t i)
{
    return (i * rate.num + rate.den - 1) / rate.den;
}

/**
 * Timed mode: the first output frame at or after a picture at `pts` (microseconds from the
 * first source picture) on the source grid of `frame_rate`: the number of that picture's own
 * first output frame (its interval's k0). For pts = i / frame_rate this is
 * aim_pipeline_first_out(rate, i).
 */
int64_t aim_pipeline_first_out_at(AimRational rate, AimRational frame_rate, int64_t pts);

/** Where output frame k lies in source interval i -> i+1: k / R - i, in [0, 1) when
 *  first_out(i) <= k < first_out(i + 1). Exact j / F for a whole multiple F. */
static inline double aim_pipeline_out_t(AimRational rate, int64_t i, int64_t k)
{
    return (double)(k * rate.den - i * rate.num) / (double)rate.num;
}

/**
 * Timed mode: a frame within this many slots of a slot's time sits exactly on it (the reader,
 * AimReaderSettings.timed, gives a picture one slot after the one before, within this, the
 * exact slot time). A tenth: Matroska's ms rounding (0.024 slot at 23.976) stays below; a
 * 29.97 part on a 23.976 grid is 0.2 slot or more off.
 */
#define AIM_PIPELINE_ON_GRID 0.1

void aim_pipeline_default_settings(AimPipelineSettings *s);
/**
 * Runs the whole stream to the end (or the first error, or cancel). Returns 0, the first
 * error of any stage or callback, or AIM_ERR_INTERRUPTED. `stats` (may be NULL) gets totals.
 */
int aim_pipeline_run(const AimPipelineSettings *s, AimPipelineStats *stats);

#endif
