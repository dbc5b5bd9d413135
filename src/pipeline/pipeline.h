// The stage graph: source -> gate -> interpolate -> upscale -> sink, one thread per stage joined
// by bounded queues, heavy work inside a stage sliced over the shared pool. Container I/O is not
// here: the source and sink are callbacks (the CLI connects src/io; tests use memory).
//
// Output rule for a rate factor F: source frame i emits F output frames, k = i*F + j for
// j = 0..F-1: frame i itself (j = 0), then the frames at t = j/F toward frame i+1: interpolated
// for motion, blended for fade, duplicates of frame i for hold and cut. The last source frame is
// repeated F times, so N source frames give exactly N*F output frames.
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
    int64_t class_count[5];    ///< records per AimGateClass
    double stage_seconds[4];   ///< busy time of source+gate, interp, scale, sink threads
} AimPipelineStats;

typedef struct AimPipelineSettings {
    int factor;                 ///< output frames per source frame, 1..8
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
     * globally (k = i * factor + j); a frame read at emit_end only serves as the later picture
     * of the last interval. read() must yield it when that interval is motion or fade
     * (AIM_ERR(EINVAL) otherwise). The records (masks included) stay owned by the caller.
     * Without records: first_frame 0, emit_end ignored, the gate decides.
     */
    const AimGateRecord *records;
    int64_t nb_records;
    int64_t first_frame, emit_end;
} AimPipelineSettings;

void aim_pipeline_default_settings(AimPipelineSettings *s);
/**
 * Runs the whole stream to the end (or the first error, or cancel). Returns 0, the first
 * error of any stage or callback, or AIM_ERR_INTERRUPTED. `stats` (may be NULL) gets totals.
 */
int aim_pipeline_run(const AimPipelineSettings *s, AimPipelineStats *stats);

#endif
