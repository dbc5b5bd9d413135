/*
 * AInimotion public API: enhance one video file (interpolation + upscaling, anime-aware), as
 * `ainimotion enhance` does; the command-line program runs its enhance through the same code.
 *
 *     AimSettings s;
 *     aim_default_settings(&s);
 *     s.input = "in.mkv";
 *     s.output = "out.mkv";
 *     AimContext *c = NULL;
 *     int err = aim_create(&c, &s);
 *     AimReport r;
 *     if (!err)
 *         err = aim_run(c, &r);
 *     aim_destroy(&c);
 *     if (err < 0)
 *         fprintf(stderr, "%s\n", aim_strerror(err));
 *
 * Versioning: AIM_API_VERSION (version.h) grows when this header changes; a struct gains
 * fields only at its end, and aim_default_settings fills every field, so a program compiled
 * against an older header keeps working. Link with `pkg-config --libs ainimotion`.
 *
 * Thread-safety: a context is used by one thread at a time; contexts are independent, except
 * that the command line's Ctrl-C handling (SIGINT/SIGTERM) is installed while aim_run runs.
 */
#ifndef AINIMOTION_AINIMOTION_H
#define AINIMOTION_AINIMOTION_H

#include <stdint.h>

#include "ainimotion/common.h"
#include "ainimotion/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version, "MAJOR.MINOR.PATCH" (AIM_VERSION_STRING of the build). */
const char *aim_version(void);

/** Progress of a run, passed to AimSettings.on_progress. */
typedef struct AimProgress {
    int64_t frames_done;   ///< output frames written
    int64_t frames_total;  ///< expected output frames (0 if unknown)
} AimProgress;

/** What a finished run did. */
typedef struct AimReport {
    int64_t source_frames, output_frames;
    int64_t cuts, holds, motion, fades;            ///< gate decisions per source interval
    int64_t interpolated, blended, duplicated;     ///< how the in-between frames were made
    double seconds;                                ///< wall time of the run
} AimReport;

typedef struct AimSettings {
    const char *input;      ///< input video file (required)
    const char *output;     ///< output file; the container follows the extension (required)
    int overwrite;          ///< replace an existing output (default 0)
    const char *preset;     ///< "anime-clean" (default), "anime-strong", "fast"
    double scale;           ///< size factor, 0.25-8 (default 1.333); 1 keeps the size
    int fps_num, fps_den;   ///< output rate, a whole multiple of the source's; 0/0 (default):
                            ///< 2x the source; -1/1: the source's rate
    int crf;                ///< encoder quality, 0-63; -1 (default): the preset's
    int threads;            ///< worker threads; 0 (default): all cores
    /// Any other `ainimotion enhance` option, as on its command line, NULL-terminated
    /// (e.g. { "--interp", "blend", NULL }); NULL: none.
    const char *const *options;
    AimLog log;             ///< messages (default: none)
    /// Called after each output frame from the run's thread (may be NULL).
    void (*on_progress)(void *opaque, const AimProgress *p);
    /// Polled after each output frame; nonzero stops the run with AIM_ERR_INTERRUPTED
    /// (may be NULL). Nothing is left under the output's name after a stopped run.
    int (*should_cancel)(void *opaque);
    void *opaque;           ///< passed to the callbacks
} AimSettings;

/** Fills every field with its default. */
void aim_default_settings(AimSettings *s);

typedef struct AimContext AimContext;

/**
 * Creates a context from settings (copied: the strings must stay valid until aim_destroy).
 * Returns 0, AIM_ERR(EINVAL) (a missing or bad setting, logged) or AIM_ERR(ENOMEM); *out is
 * set only on success.
 */
int aim_create(AimContext **out, const AimSettings *s);

/**
 * Runs the whole file; blocks. Returns 0 and fills `report` (may be NULL), or:
 * AIM_ERR(EINVAL) bad option or value; AIM_ERR_INVALID_DATA input missing, unreadable or
 * not a video; AIM_ERR(EEXIST) output not writable or existing; AIM_ERR_UNSUPPORTED; 
 * AIM_ERR_MODEL_MISSING; AIM_ERR_INTERRUPTED; AIM_ERR_EXTERNAL (processing failed). The
 * reason is logged. The output is written under a temporary name and renamed on success.
 */
int aim_run(AimContext *c, AimReport *report);

/** Frees the context; accepts NULL and &NULL, sets *c = NULL. */
void aim_destroy(AimContext **c);

#ifdef __cplusplus
}
#endif

#endif
