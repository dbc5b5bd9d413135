// `ainimotion enhance`: options, presets, and the run.
#ifndef AIM_CLI_ENHANCE_H
#define AIM_CLI_ENHANCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ainimotion/common.h"
#include "gate/gate.h"
#include "interp/interp.h"
#include "scale/scale.h"

/** What a preset sets; explicit options override each field. */
typedef struct AimPreset {
    const char *name;
    const char *interp;     ///< Model A engine
    const char *upscaler;   ///< Model B engine (restoration: aim_scaler_apply_preset)
    int crf;                ///< encoder quality (x264/x265 scale)
    const char *enc_preset; ///< x264/x265 speed preset
} AimPreset;

/** NULL if unknown. */
const AimPreset *aim_preset_find(const char *name);

typedef struct EnhanceOptions {
    const char *in, *out;
    int fps_mode;             ///< 0 = default (2x), 1 = --fps source, 2 = --fps RATE, 3 = Nx
    AimRational fps;          ///< the rate (2) or the multiplier (3)
    double scale;             ///< default 1.333
    const AimPreset *preset;
    int clip_set;
    double clip_start, clip_end;
    int hold_set, cut_set;
    double hold_threshold, cut_threshold;
    AimGateMetric gate_metric;
    int overwrite;
    const char *encoder;      ///< NULL = container default
    long crf;                 ///< -1 = preset's
    long threads;             ///< 0 = all cores
    int quiet;
    int verbose;
    const char *report;       ///< --report FILE.json
    const char *interp;       ///< NULL = preset's
    AimInterpFallback interp_fallback; ///< --interp-fallback (default nearest: 0)
    const char *upscaler;     ///< NULL = preset's
    long denoise;             ///< --denoise 0..3, -1 = preset's
    unsigned cpu_mask;        ///< --cpumask level, default all
    int device_policy;        ///< --device: AIM_VK_AUTO (default), _ANY, _INDEX, _CPU (vk/vk.h)
    int device_index;         ///< vulkan:N
    const char *models_dir;
    int help, version;
    int resume;               ///< --resume: through a hidden job folder beside OUT (job.c)
    int square_pixels;        ///< --square-pixels: resample anamorphic input to SAR 1:1
} EnhanceOptions;

/** `enhance --help`'s text (beside the option parser, so the two change together). */
void aim_enhance_usage(FILE *f);

/**
 * Parses enhance's arguments (argv[0] is "enhance"). Returns 0, or AIM_ERR(EINVAL) with a
 * one-line message in err. Never exits, never prints: fuzzable.
 */
int aim_enhance_parse(int argc, char **argv, EnhanceOptions *o, char *err, size_t errlen);
/**
 * aim_enhance_parse that also lists, in `rest` (room for argc + 1, NULL-terminated; may be
 * NULL), every argument but the input, --out/-o with its value and "--", as arguments
 * enhance's parser takes the same way: the public API's AimSettings.options.
 */
int aim_enhance_parse_rest(int argc, char **argv, EnhanceOptions *o, const char **rest,
                           char *err, size_t errlen);

/**
 * The progress line: "frame 120/480 (25%), 30.1 fps, 0.63x real time, elapsed 00:00:04, ETA
 * 00:00:12" (total <= 0: unknown, no percentage nor ETA; final: no ETA). Speed is the output's
 * seconds of video per second of wall time. Returns buf.
 */
char *aim_progress_line(char *buf, size_t n, int64_t done, int64_t total, double elapsed,
                        double out_fps, int final);

struct AimReader;
struct AimWriterSettings;
struct AimPipelineSettings;
struct AimPipelineStats;
struct AimFrame;

/**
 * How a caller takes part in an enhance run: the public API (api.c: log, progress, cancel, the
 * totals) and the job commands (job.c: configure, read). configure runs on the calling thread,
 * read on the pipeline's source thread; the others as each says.
 */
typedef struct AimEnhanceHooks {
    void *opaque;             ///< passed to configure and read
    /**
     * Called once the input is open and every setting is resolved, before the output is opened:
     * may record or check the settings, and change the writer settings and the pipeline's
     * replay fields (pipeline.h). Returns 0 to go on, -1 to stop with exit code 0 (nothing
     * written), or an exit code (the reason already logged).
     */
    int (*configure)(void *opaque, struct AimReader *r, struct AimWriterSettings *ws,
                     struct AimPipelineSettings *ps);
    /** Replaces aim_reader_read as the pipeline's source (may be NULL). */
    int (*read)(void *opaque, struct AimReader *r, struct AimFrame **out);
    /** Replaces the log to stderr (may be NULL). */
    const AimLog *log;
    /**
     * After each output frame (the pipeline's sink loop, on the calling thread), and once more
     * (final = 1) when the pipeline ended having written frames, successful or not: frames written,
     * expected (0: unknown), seconds since the pipeline started, the output's frame rate. The
     * arguments of aim_progress_line. May be NULL.
     */
    void (*progress)(void *cb_opaque, int64_t done, int64_t total, double seconds,
                     double out_fps, int final);
    /**
     * Nonzero stops the run as AIM_ERR_INTERRUPTED (may be NULL). Polled after each output frame
     * (calling thread) and every CANCEL_POLL_MS from a thread of its own while the run lasts, so a
     * cancel is seen during a slow open or a neural model's long frame too.
     */
    int (*cancelled)(void *cb_opaque);
    /** After a successful run: the pipeline's totals and the wall time (may be NULL). */
    void (*finished)(void *cb_opaque, const struct AimPipelineStats *st, double seconds);
    void *cb_opaque;          ///< passed to progress, cancelled and finished
} AimEnhanceHooks;

/** 1 if enhance's option `name` ("--fps", "-o" ...) takes a value. */
int aim_enhance_takes_value(const char *name);

/** A batch (batch.c): several inputs, or a folder, given to enhance. */
int aim_batch_wanted(int argc, char **argv);
/** Runs each input of a batch into the --out folder; the process exit code. */
int aim_batch_run(int argc, char **argv);

/**
 * The engine: runs enhance with parsed options (the public API's aim_run, and the job commands
 * through aim_cli_enhance_run). Installs no signal handler and prints nothing but through the
 * log; hooks may be NULL. Returns the process exit code (cli.h), the reason logged.
 */
int aim_enhance_run(const EnhanceOptions *o, const AimEnhanceHooks *hooks);

/**
 * The command line's side of a run (enhance_cli.c): Ctrl-C, kill and SIGHUP stop it cleanly,
 * libraries' own stderr lines are muted without -v, the progress line and the "wrote" summary
 * are printed. aim_enhance_cli_run goes through the public API (or --resume's job folder);
 * aim_cli_enhance_run is the same around aim_enhance_run for the job commands, whose hooks
 * (configure, read) the public API does not offer; its progress, cancelled, finished and
 * cb_opaque are replaced. Both return the exit code.
 */
int aim_enhance_cli_run(const EnhanceOptions *o, int argc, char **argv);
int aim_cli_enhance_run(const EnhanceOptions *o, const AimEnhanceHooks *hooks);

/** `enhance IN --out OUT --resume` (job.c): argv as given to enhance. Returns the exit code. */
int aim_job_resume(const EnhanceOptions *o, int argc, char **argv);

#endif
