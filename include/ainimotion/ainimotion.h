/*
 * AInimotion public API: enhance one video file (interpolation + upscaling, anime-aware), as
 * `ainimotion enhance` does: the command-line program's enhance runs through this API, each
 * file of a batch too (its Ctrl-C through should_cancel, its progress line through
 * on_progress, its "wrote" line from the AimReport); only `--resume`, whose segments are
 * planned runs with hooks this API does not offer, runs the same engine underneath it.
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
 * Versioning: AIM_API_VERSION (version.h) grows with every change of this header. The
 * caller allocates AimSettings and AimReport and the library reads or fills them whole, so
 * their size is fixed within one library major version (libainimotion.so.MAJOR): a field
 * added to either is a new major. AimProgress is the library's, passed by pointer: it gains
 * fields at its end only, and a program built against an older header reads what it knows.
 * aim_default_settings fills every field. Link with `pkg-config --libs ainimotion`.
 * API 2: AimProgress gained seconds, fps and final.
 *
 * Thread-safety: a context is used by one thread at a time. The library installs no signal
 * handler: a program that wants Ctrl-C to stop a run cleanly sets a flag in its handler and
 * returns it from should_cancel (as the command line does); killed otherwise, a run leaves
 * only its hidden temporary file beside the output. Contexts are independent, but libav's log
 * callback is process-wide: while aim_run runs, libav's own messages go to its context's log
 * (with runs in parallel, to the one that started last), and libav's default is restored when
 * aim_run returns.
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
    int64_t frames_total;  ///< expected output frames (0 if unknown; an estimate: the input's
                           ///< frame count times the rate, may differ by a few at the end)
    double seconds;        ///< since processing started (after the files were opened)
    double fps;            ///< the output's frame rate: frames_done / fps / seconds is the speed
                           ///< against real time
    int final;             ///< 1 on the last call, when processing ended (successful or not)
} AimProgress;

/** What a finished run did (aim_run fills it on success, zeroes it otherwise). */
typedef struct AimReport {
    int64_t source_frames, output_frames;
    int64_t cuts, holds, motion, fades;            ///< gate decisions per source interval
    int64_t interpolated, blended, duplicated;     ///< how the in-between frames were made
    double seconds;    ///< wall time from processing start (model loading included, opening
                       ///< the files not) to the finished output
} AimReport;

typedef struct AimSettings {
    const char *input;      ///< input video file (required)
    const char *output;     ///< output file (required); the container follows the extension
                            ///< (.mkv .mp4 .mov .webm; .y4m raw frames, "-" y4m to stdout,
                            ///< .png one image of a still input with fps -1/1)
    int overwrite;          ///< replace an existing output (default 0: AIM_ERR(EEXIST))
    const char *preset;     ///< "anime-clean" (default), "anime-strong", "fast"
    double scale;           ///< size factor for both dimensions, 0.25-8 (default 1.333; 1 keeps
                            ///< the size); the result is rounded to even numbers
    int fps_num, fps_den;   ///< output rate, 1x to 8x the source's, any ratio (60000/1001 on
                            ///< 23.976, 50/1 on 25: a nominal rate means the nearest standard
                            ///< one, as `--fps` does); 0/0 (default): 2x the source; -1/1: the
                            ///< source's rate. A multiplier (2.5x): options { "--fps", "2.5x" }
    int crf;                ///< encoder quality, 0-63, lower is better (the encoder may accept
                            ///< less: AIM_ERR(EINVAL)); -1 (default): the preset's
    int threads;            ///< worker threads, 1-256; 0 (default): all cores
    /// Any other `ainimotion enhance` option, as on its command line, NULL-terminated
    /// (e.g. { "--interp", "blend", NULL }); NULL: none. Applied after the fields above: an
    /// option that repeats one (--scale 2) wins. --resume, --help and --version are refused.
    const char *const *options;
    AimLog log;             ///< messages, from any thread of the run (default: none)
    /// Called from aim_run's thread after each output frame, and once more with final = 1
    /// when processing ended having written frames (also when it failed or was cancelled).
    /// May be NULL.
    void (*on_progress)(void *opaque, const AimProgress *p);
    /// Polled after each output frame (aim_run's thread) and every 50 ms while aim_run runs
    /// (a thread of the library): thread-safe and quick; nonzero stops the run with
    /// AIM_ERR_INTERRUPTED. Nothing is left under the output's name after a stopped run, nor
    /// its temporary file. May be NULL.
    int (*should_cancel)(void *opaque);
    void *opaque;           ///< passed to the callbacks
} AimSettings;

/** Fills every field with its default. */
void aim_default_settings(AimSettings *s);

typedef struct AimContext AimContext;

/**
 * Creates a context from settings (copied: the strings must stay valid until aim_destroy).
 * Every setting's form and range is checked here (the files and the models: by aim_run):
 * returns 0, AIM_ERR(EINVAL) (a missing or bad setting, logged) or AIM_ERR(ENOMEM); *out is
 * set only on success. Opens no file.
 */
int aim_create(AimContext **out, const AimSettings *s);

/**
 * Runs the whole file; blocks; may be called again. Returns 0 and fills `report` (may be
 * NULL), or, the reason logged (the classes of `ainimotion enhance`'s exit codes):
 * AIM_ERR(EINVAL) a value the input makes invalid (a --clip outside it, a .png output of a
 * video, a crf the encoder refuses); AIM_ERR_INVALID_DATA input missing, unreadable or not a
 * video; AIM_ERR(EEXIST) output existing (overwrite 0), the input itself, not writable, or
 * its encoder missing; AIM_ERR_UNSUPPORTED a valid input not handled (pixel format, a rate
 * outside 1x-8x); AIM_ERR_MODEL_MISSING a model not installed or damaged;
 * AIM_ERR_INTERRUPTED should_cancel; AIM_ERR_EXTERNAL processing failed (out of memory
 * included). The output is written under a hidden temporary name beside it and renamed only
 * on success: after an error the output's name is as it was (an output that appeared during
 * the run is kept, the result is kept aside beside it: AIM_ERR(EEXIST)).
 */
int aim_run(AimContext *c, AimReport *report);

/** Frees the context; accepts NULL and &NULL, sets *c = NULL. */
void aim_destroy(AimContext **c);

#ifdef __cplusplus
}
#endif

#endif
